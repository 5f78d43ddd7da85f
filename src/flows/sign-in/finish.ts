import { hashToken, randomToken } from '../../crypto/random.ts';
import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { Member } from '../../domain/member.ts';
import type { StoredPassword } from '../../crypto/password-hasher.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { issueSession, type IssuedSession } from '../sessions/issue.ts';
import { noticeNewDevice } from './new-device.ts';

export type FinishSignInDeps = Pick<FlowDeps, 'store' | 'clock' | 'metrics' | 'audit' | 'links' | 'policy' | 'mailQueued'>;

export interface SignedIn extends IssuedSession {
  member: Member;
  /** The device id to keep in the device cookie (new when the request had none). */
  deviceId: string;
}

/** How the member proved who they are, for the audit trail (and OIDC's `amr`). */
export type SignInMethod = 'password' | 'password+totp' | 'password+passkey' | 'password+recovery_code' | 'passkey';

/** RFC 8176 references per method; OIDC passes them to games as the ID token's `amr`. */
export const METHOD_REFERENCES: Record<SignInMethod, string[]> = {
  password: ['pwd'],
  'password+totp': ['pwd', 'otp', 'mfa'],
  'password+passkey': ['pwd', 'hwk', 'mfa'],
  'password+recovery_code': ['pwd', 'mfa'],
  // Passwordless passkeys require user verification: something held plus a PIN or biometric.
  passkey: ['hwk', 'user', 'mfa'],
};

/**
 * The last part of every sign-in, once every factor the member has is checked: remember the device
 * (mailing a notice for a new one), clear the failure count, start the session.
 */
export async function finishSignIn(
  deps: FinishSignInDeps,
  member: Member,
  context: RequestContext,
  options: { method: SignInMethod; rehashed?: StoredPassword | undefined },
): Promise<SignedIn> {
  const now = deps.clock.now();
  const deviceHash = context.deviceId ? hashToken(context.deviceId) : undefined;
  const trustedDevice = deviceHash ? await deps.store.devices.isKnown(member.id, deviceHash) : false;
  const deviceId = context.deviceId ?? randomToken();
  const session = await deps.store.transaction(async (tx) => {
    if (options.rehashed) await tx.members.setPassword(member.id, options.rehashed, now);
    await tx.members.clearFailedSignIns(member.id);
    if (!trustedDevice) {
      const firstSignIn = !(await tx.devices.hasAny(member.id));
      if (!firstSignIn) await noticeNewDevice(tx, deps, member, context, now);
      await tx.devices.remember(member.id, hashToken(deviceId), now);
    }
    return issueSession(tx, deps.policy, member.id, context, now, METHOD_REFERENCES[options.method]);
  });
  if (!trustedDevice) deps.mailQueued();
  await deps.audit.record({ type: 'sign_in.succeeded', memberId: member.id, ipPrefix: ipPrefix(context.ip), data: { newDevice: !trustedDevice, method: options.method } });
  deps.metrics.signIns.inc({ outcome: 'succeeded' });
  return { ...session, member, deviceId };
}
