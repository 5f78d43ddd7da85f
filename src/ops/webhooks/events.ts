import type { AuditEvent } from '../audit/trail.ts';

/** Audit event types a webhook may subscribe to; `incident.*` covers every incident event. */
export const WEBHOOK_EVENT_TYPES = [
  'member.joined',
  'member.details_changed',
  'email.changed',
  'password.changed',
  'password_reset.completed',
  /** A member deleted their account: the data keyed by this member id should go everywhere. */
  'account.deleted',
  'session.revoked',
  'session.revoked_others',
  'alarm.raised',
  'capability.changed',
  'incident.*',
  /** Second factors added or removed, recovery codes made or used (src/flows/mfa). */
  'mfa.*',
] as const;

const EXACT = new Set<string>(WEBHOOK_EVENT_TYPES.filter((type) => !type.endsWith('.*')));
const PREFIXES = WEBHOOK_EVENT_TYPES.filter((type) => type.endsWith('.*')).map((type) => type.slice(0, -1));
const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** True when events of this type go out to webhooks at all. */
export function isPublishable(type: string): boolean {
  return EXACT.has(type) || PREFIXES.some((prefix) => type.startsWith(prefix));
}

/** `*`, a publishable type, or `namespace.*` over publishable types; anything else is a typo. */
export function checkSubscription(pattern: string): string | undefined {
  if (pattern === '*') return undefined;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1);
    return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(pattern) || [...EXACT].some((type) => type.startsWith(prefix))
      ? undefined
      : `"${pattern}" matches no webhook event type`;
  }
  if (!TYPE_PATTERN.test(pattern) || !isPublishable(pattern)) return `"${pattern}" is not a webhook event type (${WEBHOOK_EVENT_TYPES.join(', ')})`;
  return undefined;
}

/** Whether an event type is wanted by a webhook's comma list of patterns. */
export function subscribes(eventTypes: string, type: string): boolean {
  return eventTypes.split(',').some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}

/** The JSON a receiver gets: what happened, when, to which member id, from which network. */
export interface WebhookPayload {
  id: string;
  type: string;
  time: string;
  memberId: string | null;
  ipPrefix: string | null;
  data: Record<string, string | number | boolean | null>;
}

// Audit data is already ids, flags and counts; this is a second net for anything that looks like a
// secret or personal data, so a careless audit call cannot send one to a third party.
const SECRET_KEY = /token|secret|passw|email|mail|phone|address|birth|name|link|url/i;

export function buildPayload(event: AuditEvent, id: string, now: number): WebhookPayload {
  const data: WebhookPayload['data'] = {};
  for (const [key, value] of Object.entries(event.data ?? {})) {
    if (typeof value === 'string' && (SECRET_KEY.test(key) || value.includes('@') || value.length > 200)) continue;
    if (value === null || typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) data[key] = value;
  }
  return { id, type: event.type, time: new Date(now).toISOString(), memberId: event.memberId ?? null, ipPrefix: event.ipPrefix ?? null, data };
}
