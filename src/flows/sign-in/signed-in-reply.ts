import type { FastifyReply } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { setDeviceCookie } from '../../http/plugins/device-cookie.ts';
import { setSessionCookie } from '../../http/plugins/session.ts';
import type { SignedIn } from './finish.ts';

/** Every way of signing in ends here on the HTTP side: the session cookie and the device cookie. */
export function setSignedInCookies(reply: FastifyReply, deps: HttpDeps, signedIn: SignedIn): void {
  setSessionCookie(reply, deps, signedIn.token, signedIn.expiresAt);
  setDeviceCookie(reply, deps.cookies, signedIn.deviceId);
}

/** The API's `201` for a finished sign-in (the SignInReply schema), with the cookies. */
export function sendSignedIn(reply: FastifyReply, deps: HttpDeps, signedIn: SignedIn): FastifyReply {
  setSignedInCookies(reply, deps, signedIn);
  return reply.code(201).send({
    token: signedIn.token,
    expiresAt: new Date(signedIn.expiresAt).toISOString(),
    member: { id: signedIn.member.id, displayName: signedIn.member.displayName },
  });
}
