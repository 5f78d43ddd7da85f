import { generateSecret, generateURI, verifySync } from 'otplib';

/** RFC 6238 with the parameters every authenticator app understands: SHA-1, 6 digits, 30 s. */
export const TOTP_PERIOD_SECONDS = 30;

/** A new 160-bit secret, base32 (RFC 4226 §4 asks for at least 128 bits; 160 is the usual). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, issuer: string, label: string): string {
  return generateURI({ issuer, label, secret, period: TOTP_PERIOD_SECONDS });
}

/**
 * The time step a code belongs to if it is right at `nowMs` give or take one step of clock drift,
 * and later than `afterStep` (the last step used: a code works once); otherwise undefined.
 * Compares in constant time (otplib).
 */
export function matchTotp(secret: string, code: string, nowMs: number, afterStep: number | null): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    period: TOTP_PERIOD_SECONDS,
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
