import type { FastifyInstance } from 'fastify';
import { PassError } from '../../domain/errors.ts';

/**
 * The JSON API takes JSON bodies only. A form post or text/plain body is what another site can
 * make a visitor's browser send without CORS, so refusing it keeps the API free of CSRF (the pages,
 * which do take forms, check a CSRF token instead).
 */
export function registerJsonOnlyApi(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const hasBody = request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
    if (!hasBody && request.headers['transfer-encoding'] === undefined) return;
    const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new PassError('unsupported_media_type');
  });
}
