import type { RateLimits } from './rate-limits.ts';
import type { StuffingDetector } from './stuffing-detector.ts';

export interface SignInAttempt {
  ip: string;
  /** Keyed hash of the normalised email: the same for every spelling, useless without the key. */
  accountKey: string;
  /** The request carries the signed device cookie of a device this member signed in from before. */
  trustedDevice: boolean;
}

/**
 * The limits around password sign-in. Strangers failing on an account slow down that account for
 * other strangers only: a device the member signed in from before skips the per-account, per-source
 * and global failure budgets, so an attacker cannot lock a member out by failing on purpose.
 */
export interface SignInGuard {
  admit(attempt: SignInAttempt): Promise<void>;
  failed(attempt: SignInAttempt): Promise<void>;
  succeeded(attempt: SignInAttempt): Promise<void>;
}

const GLOBAL = 'all';

export function createSignInGuard(limits: RateLimits, detector: StuffingDetector): SignInGuard {
  const pair = (attempt: SignInAttempt) => `${attempt.ip}|${attempt.accountKey}`;
  return {
    async admit(attempt) {
      await limits.consume('sign_in_ip', attempt.ip);
      await limits.check('sign_in_fail_ip_account', pair(attempt));
      if (attempt.trustedDevice) return;
      await limits.check('sign_in_fail_ip', attempt.ip);
      await limits.check('sign_in_fail_account', attempt.accountKey);
      await limits.check('sign_in_fail_global', GLOBAL);
    },
    async failed(attempt) {
      await Promise.all([
        limits.charge('sign_in_fail_ip_account', pair(attempt)),
        limits.charge('sign_in_fail_ip', attempt.ip),
        limits.charge('sign_in_fail_account', attempt.accountKey),
        limits.charge('sign_in_fail_global', GLOBAL),
      ]);
      await detector.failed(attempt.ip, attempt.accountKey);
    },
    async succeeded(attempt) {
      await limits.reset('sign_in_fail_ip_account', pair(attempt));
    },
  };
}
