import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../flows/deps.ts';

export function requestContext(request: FastifyRequest): RequestContext {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : undefined };
}
