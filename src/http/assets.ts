import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

/** The stylesheet is read once at start-up and served with a long cache lifetime. */
export function assetRoutes(app: FastifyInstance): void {
  const css = readFileSync(new URL('./layout/playerpass.css', import.meta.url), 'utf8');
  app.get('/assets/playerpass.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
}
