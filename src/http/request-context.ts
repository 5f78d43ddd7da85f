import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../flows/deps.ts';
import type { HttpDeps } from './context.ts';
import { readDeviceId } from './plugins/device-cookie.ts';

export function requestContext(request: FastifyRequest, deps: HttpDeps): RequestContext {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : undefined, deviceId: readDeviceId(request, deps.cookies) };
}
