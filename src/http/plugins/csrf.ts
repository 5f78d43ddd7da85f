import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../crypto/random.ts';
import { PassError } from '../../domain/errors.ts';
import type { CookiePolicy } from '../context.ts';

/**
 * Signed double-submit: a random HttpOnly cookie, and in every form a token that is the HMAC of that
 * cookie. A page on another site can neither read the cookie nor compute the token.
 */
export function csrfToken(request: FastifyRequest, reply: FastifyReply, policy: CookiePolicy): string {
  let seed = request.cookies[policy.csrfName];
  if (!seed || seed.length < 32) {
    seed = randomBytes(32).toString('base64url');
    reply.setCookie(policy.csrfName, seed, { path: '/', httpOnly: true, sameSite: 'lax', secure: policy.secure });
    request.cookies[policy.csrfName] = seed;
  }
  return sign(seed, policy.csrfKey);
}

export function verifyCsrf(request: FastifyRequest, policy: CookiePolicy, submitted: unknown): void {
  const seed = request.cookies[policy.csrfName];
  if (!seed || typeof submitted !== 'string' || !safeEqual(submitted, sign(seed, policy.csrfKey))) {
    throw new PassError('csrf_invalid');
  }
}

function sign(seed: string, key: Buffer): string {
  return createHmac('sha256', key).update(`csrf\u0000${seed}`).digest('base64url');
}
