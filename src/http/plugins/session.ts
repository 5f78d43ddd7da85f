import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassError } from '../../domain/errors.ts';
import { authenticate, type Authenticated } from '../../flows/sessions/authenticate.ts';
import type { HttpDeps } from '../context.ts';

/** API clients send `Authorization: Bearer <token>`; cookies are ignored there, so the API needs no CSRF token. */
export async function requireApiSession(request: FastifyRequest, deps: HttpDeps): Promise<Authenticated> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_-]+)$/.exec(header.trim()) : null;
  const auth = match?.[1] ? await authenticate(deps.flows, match[1]) : undefined;
  if (!auth) throw new PassError('unauthenticated');
  return auth;
}

/** Pages use the session cookie. */
export async function pageSession(request: FastifyRequest, deps: HttpDeps): Promise<Authenticated | undefined> {
  const token = request.cookies[deps.cookies.sessionName];
  return token ? authenticate(deps.flows, token) : undefined;
}

export function setSessionCookie(reply: FastifyReply, deps: HttpDeps, token: string, expiresAt: number): void {
  reply.setCookie(deps.cookies.sessionName, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.cookies.secure,
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply, deps: HttpDeps): void {
  reply.clearCookie(deps.cookies.sessionName, { path: '/', httpOnly: true, sameSite: 'lax', secure: deps.cookies.secure });
}
