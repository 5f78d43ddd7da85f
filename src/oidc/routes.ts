import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http/context.ts';
import { interactionRoutes } from './interactions.ts';
import { mountOidc } from './mount.ts';
import type { OidcService } from './service.ts';

/** OpenID Connect over HTTP: /oidc/* (oidc-provider), /.well-known/openid-configuration, /link, /interaction/*. */
export function oidcRoutes(app: FastifyInstance, deps: HttpDeps, oidc: OidcService, options: { hsts: boolean }): void {
  mountOidc(app, deps, oidc, options);
  interactionRoutes(app, deps, oidc);
}
