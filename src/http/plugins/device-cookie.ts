import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../crypto/random.ts';
import type { CookiePolicy } from '../context.ts';

const MAX_AGE_SECONDS = 400 * 24 * 3600;

/**
 * A long-lived signed cookie naming this browser or client: `<random id>.<HMAC>`. It lets a device
 * the member used before skip per-account limits, and tells a sign-in from a new device apart.
 */
export function readDeviceId(request: FastifyRequest, policy: CookiePolicy): string | undefined {
  const value = request.cookies[policy.deviceName];
  const [id, mac] = value?.split('.') ?? [];
  if (!id || !mac || id.length < 32 || id.length > 64) return undefined;
  return safeEqual(mac, sign(id, policy.csrfKey)) ? id : undefined;
}

export function setDeviceCookie(reply: FastifyReply, policy: CookiePolicy, id: string): void {
  reply.setCookie(policy.deviceName, `${id}.${sign(id, policy.csrfKey)}`, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: policy.secure,
    maxAge: MAX_AGE_SECONDS,
  });
}

function sign(id: string, key: Buffer): string {
  return createHmac('sha256', key).update(`device\u0000${id}`).digest('base64url');
}
