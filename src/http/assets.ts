import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** Script files the pages load (the CSP allows scripts from 'self' only, never inline). */
export const scripts = { webauthn: '/assets/webauthn.js', passkeys: '/assets/passkeys.js' } as const;

/** The stylesheet and the scripts are read once at start-up and served with a long cache lifetime. */
export function assetRoutes(app: FastifyInstance): void {
  const css = readFileSync(new URL('./layout/playerpass.css', import.meta.url), 'utf8');
  app.get('/assets/playerpass.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
  // @simplewebauthn/browser's UMD build (window.SimpleWebAuthnBrowser), then our own small script.
  const require = createRequire(import.meta.url);
  // The package's exports map hides dist/, so the path is taken from its entry point (script/index.js).
  const webauthn = readFileSync(new URL('../dist/bundle/index.umd.min.js', pathToFileURL(require.resolve('@simplewebauthn/browser'))), 'utf8');
  const passkeys = readFileSync(new URL('./layout/passkeys.js', import.meta.url), 'utf8');
  for (const [path, body] of [[scripts.webauthn, webauthn], [scripts.passkeys, passkeys]] as const) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body),
    );
  }
}
