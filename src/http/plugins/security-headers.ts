import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Strict headers on every answer. Pages hold tokens in their URLs, so no referrer ever leaves. */
export function registerSecurityHeaders(app: FastifyInstance, options: { hsts: boolean }): void {
  app.addHook('onSend', async (request, reply) => setSecurityHeaders(request, reply, options));
}

/** Also called directly for errors Fastify answers before any hook runs (such as an undecodable URL). */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply, options: { hsts: boolean }): void {
  reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
  if (options.hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  if (!request.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
}
