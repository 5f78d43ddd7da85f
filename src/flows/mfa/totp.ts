import { qrSvg } from '../../crypto/qr-svg.ts';
import { matchTotp, newTotpSecret, totpUri } from '../../crypto/totp.ts';
import { PassError } from '../../domain/errors.ts';
import type { Store } from '../../store/store.ts';
import type { FlowDeps } from '../deps.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { queueMfaNotice } from './notice.ts';
import { requireRecentAuth } from './recent-auth.ts';
import { issueRecoveryCodesIfFirstFactor } from './recovery-codes.ts';
import { dropRecoveryCodesIfNoFactor } from './service.ts';

export type TotpDeps = Pick<FlowDeps, 'store' | 'clock' | 'policy' | 'limits' | 'audit' | 'mailQueued' | 'capabilities'>;

const ISSUER = 'playerpass';

export interface TotpEnrolment {
  /** Base32, for typing into the app by hand. */
  secret: string;
  /** otpauth:// URI, what the QR code holds. */
  uri: string;
  /** The QR code as an SVG document, drawn on the server. */
  qrSvg: string;
}

async function enrolmentOf(secret: string, email: string): Promise<TotpEnrolment> {
  const uri = totpUri(secret, ISSUER, email);
  return { secret, uri, qrSvg: await qrSvg(uri) };
}

/** A new secret to scan; it counts only once confirmed with a code from the app. */
export async function startTotp(deps: TotpDeps, auth: Authenticated): Promise<TotpEnrolment> {
  deps.capabilities.require('profile_changes', 'write');
  requireRecentAuth(deps, auth);
  const secret = newTotpSecret();
  if (!(await deps.store.totp.setPending(auth.member.id, secret, deps.clock.now()))) throw new PassError('totp_already_enabled');
  return enrolmentOf(secret, auth.member.email);
}

/** The set-up in progress again (the page shows it once more after a wrong code). */
export async function pendingTotp(deps: Pick<FlowDeps, 'store'>, auth: Authenticated): Promise<TotpEnrolment | undefined> {
  const record = await deps.store.totp.find(auth.member.id);
  return record && !record.confirmed ? enrolmentOf(record.secret, auth.member.email) : undefined;
}

/** Turns the app on with its first code. Returns the recovery codes if this is the member's first factor. */
export async function confirmTotp(deps: TotpDeps, auth: Authenticated, code: string): Promise<{ recoveryCodes: string[] | undefined }> {
  deps.capabilities.require('profile_changes', 'write');
  requireRecentAuth(deps, auth);
  const { member } = auth;
  await deps.limits.consume('member_sensitive', member.id);
  const record = await deps.store.totp.find(member.id);
  if (!record) throw new PassError('totp_not_started');
  if (record.confirmed) throw new PassError('totp_already_enabled');
  const now = deps.clock.now();
  const step = matchTotp(record.secret, code.trim(), now, null);
  if (step === undefined) throw new PassError('validation_failed', { fields: { code: 'code_invalid' } });
  const recoveryCodes = await deps.store.transaction(async (tx) => {
    if (!(await tx.totp.confirm(member.id, step, now))) throw new PassError('totp_not_started');
    const codes = await issueRecoveryCodesIfFirstFactor(tx, member.id, now);
    await queueMfaNotice(tx, member, 'An authenticator app was added to your account', now);
    return codes;
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'mfa.totp_enabled', memberId: member.id, data: { recoveryCodesIssued: recoveryCodes !== undefined } });
  return { recoveryCodes };
}

export async function removeTotp(deps: TotpDeps, auth: Authenticated): Promise<void> {
  deps.capabilities.require('profile_changes', 'write');
  requireRecentAuth(deps, auth);
  const { member } = auth;
  const now = deps.clock.now();
  const wasOn = (await deps.store.totp.find(member.id))?.confirmed ?? false;
  const mfaOff = await deps.store.transaction(async (tx) => {
    if (!(await tx.totp.remove(member.id))) throw new PassError('not_found');
    if (wasOn) await queueMfaNotice(tx, member, 'The authenticator app was removed from your account', now);
    return dropRecoveryCodesIfNoFactor(tx, member.id);
  });
  if (!wasOn) return;
  deps.mailQueued();
  await deps.audit.record({ type: 'mfa.totp_removed', memberId: member.id, data: { mfaOff } });
}

/** A code from the member's confirmed app, right now give or take one step, and never used before. */
export async function checkTotp(store: Store, memberId: string, code: string, now: number): Promise<boolean> {
  const record = await store.totp.find(memberId);
  if (!record?.confirmed) return false;
  const step = matchTotp(record.secret, code.trim(), now, record.lastStep);
  return step !== undefined && (await store.totp.useStep(memberId, step));
}
