import type { PasswordHasher } from '../crypto/password-hasher.ts';
import type { Clock } from '../domain/clock.ts';
import type { RateLimits } from '../limits/rate-limits.ts';
import type { SignInGuard } from '../limits/sign-in-guard.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Alarms } from '../ops/alarms.ts';
import type { AuditTrail } from '../ops/audit/trail.ts';
import type { Capabilities } from '../ops/maintenance/capabilities.ts';
import type { PasswordPolicy } from './shared/password-policy-port.ts';
import type { SessionCache } from './sessions/session-cache.ts';
import type { SessionTouches } from './sessions/touch-buffer.ts';
import type { Store } from '../store/store.ts';

/**
 * Everything a flow may use. Each flow's service declares the part it needs with `Pick<…>`, so a
 * test can hand it exactly that.
 */
export interface FlowDeps {
  store: Store;
  hasher: PasswordHasher;
  clock: Clock;
  limits: RateLimits;
  links: Links;
  policy: FlowPolicy;
  signInGuard: SignInGuard;
  metrics: Metrics;
  sessionCache: SessionCache;
  sessionTouches: SessionTouches;
  passwordPolicy: PasswordPolicy;
  audit: AuditTrail;
  /** Maintenance switches: a flow calls `require` first, so the API and the pages both obey them. */
  capabilities: Capabilities;
  /** Security alarms (audit event, log, metric, webhooks): a canary's email named, stuffing. */
  alarms: Alarms;
  /** Who we are to WebAuthn authenticators: from PLAYERPASS_PUBLIC_URL. */
  webauthn: WebAuthnSettings;
  /** Keyed hash of an email address for limits: the same for every spelling of the address. */
  accountKey(email: string): string;
  /** Wakes the mail worker after a transaction that queued mail has committed. */
  mailQueued(): void;
}

export interface FlowPolicy {
  sessionIdleMs: number;
  sessionMaxMs: number;
  verifyTokenMs: number;
  resetTokenMs: number;
  emailChangeTokenMs: number;
  reportSignInTokenMs: number;
  /** Adding or removing a second factor needs a sign-in (or password check) this recent. */
  recentAuthMs: number;
  /** How long the second sign-in step and a WebAuthn ceremony stay open. */
  mfaChallengeMs: number;
}

export interface WebAuthnSettings {
  /** The relying party id: the public URL's host name. */
  rpId: string;
  rpName: string;
  /** The public URL's origin: the only one whose WebAuthn responses are accepted. */
  origin: string;
}

export interface Links {
  to(path: string, token?: string): string;
}

/** Who is asking: used for limits and the session list, never logged with personal data. */
export interface RequestContext {
  ip: string;
  userAgent: string | undefined;
  /** The id in the request's valid device cookie, if it has one. */
  deviceId: string | undefined;
}

export function createLinks(publicUrl: string): Links {
  return {
    to(path, token) {
      const url = new URL(path, `${publicUrl}/`);
      if (token) url.searchParams.set('token', token);
      return url.toString();
    },
  };
}
