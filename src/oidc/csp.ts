import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Browsers check `form-action` against every redirect that follows a form post. A sign-in, consent
 * or logout form ends in a redirect to the client, so those pages allow the client's origin (and
 * only it) as a form target; everything else stays `'self'`.
 */
export function widenFormAction(csp: string, uris: readonly (string | undefined)[]): string {
  const origins = [...new Set(uris.map(originOf).filter((origin): origin is string => origin !== undefined))];
  if (origins.length === 0) return csp;
  return csp.replace(/form-action ([^;]*)/, (_all, sources: string) => `form-action ${sources} ${origins.join(' ')}`);
}

function originOf(uri: string | undefined): string | undefined {
  const origin = uri ? URL.parse(uri)?.origin : undefined;
  return origin && /^https?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin) ? origin : undefined;
}

const formTargets = new WeakMap<FastifyReply, string[]>();

/** Marks the client URI this page's forms end up redirecting to. */
export function allowFormTarget(reply: FastifyReply, uri: unknown): void {
  if (typeof uri === 'string') formTargets.set(reply, [...(formTargets.get(reply) ?? []), uri]);
}

/** A route-level onSend hook: runs after the app's security headers and widens their form-action. */
export async function widenCspOnSend(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const targets = formTargets.get(reply);
  const csp = reply.getHeader('content-security-policy');
  if (targets && typeof csp === 'string') reply.header('content-security-policy', widenFormAction(csp, targets));
}
