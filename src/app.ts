import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { changeEmailRoutes } from './flows/change-email/routes.ts';
import { changePasswordRoutes } from './flows/change-password/routes.ts';
import { deleteRoutes } from './flows/delete/routes.ts';
import { detailsRoutes } from './flows/details/routes.ts';
import { exportRoutes } from './flows/export/routes.ts';
import { joinRoutes } from './flows/join/routes.ts';
import { maintenanceRoutes } from './ops/maintenance/routes.ts';
import { reportSignInRoutes } from './flows/report-sign-in/routes.ts';
import { resetPasswordRoutes } from './flows/reset-password/routes.ts';
import { sessionsRoutes } from './flows/sessions/routes.ts';
import { signInRoutes } from './flows/sign-in/routes.ts';
import { verifyEmailRoutes } from './flows/verify-email/routes.ts';
import { mfaPageRoutes } from './flows/mfa/page-routes.ts';
import { mfaRoutes } from './flows/mfa/routes.ts';
import { passkeySignInRoutes } from './flows/passkey-sign-in/routes.ts';
import { signInMfaRoutes } from './flows/sign-in-mfa/routes.ts';
import { oidcRoutes } from './oidc/routes.ts';
import { assetRoutes } from './http/assets.ts';
import { cookiePolicy, type HttpDeps } from './http/context.ts';
import { healthRoutes } from './http/health.ts';
import { homeRoutes } from './http/home.ts';
import { registerErrorHandling, sendError, toPassError } from './http/plugins/error-handler.ts';
import { registerJsonOnlyApi } from './http/plugins/json-only.ts';
import { registerRequestMetrics } from './http/request-metrics.ts';
import { registerSecurityHeaders, setSecurityHeaders } from './http/plugins/security-headers.ts';
import type { Services } from './services.ts';

export const BODY_LIMIT_BYTES = 16 * 1024;

/** The whole HTTP app without listen(), so tests can use inject() or listen on a port of their own. */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const hsts = services.config.publicUrl.startsWith('https://');
  // Typed with Fastify's base logger, so route modules need not know which logger the app was given.
  const app = Fastify({
    loggerInstance: services.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: services.config.trustProxy,
    // Ids of our own, so request logs never carry anything from the request itself.
    requestIdHeader: false,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, useDefaults: false } },
    routerOptions: { maxParamLength: 200 },
    // Errors Fastify meets before routing (an undecodable URL, an over-long parameter) get the
    // same error shape and headers as every other answer.
    frameworkErrors: (error, request, reply) => {
      setSecurityHeaders(request, reply, { hsts });
      return sendError(request, reply, toPassError(error));
    },
  }) as unknown as FastifyInstance;
  const deps: HttpDeps = {
    flows: services.flows,
    cookies: cookiePolicy(services.config.publicUrl, services.keyring.current('cookie').secret),
  };

  registerSecurityHeaders(app, { hsts });
  registerErrorHandling(app);
  registerJsonOnlyApi(app);
  registerRequestMetrics(app, services.metrics);
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'playerpass', version: '1', description: 'The member API of playerpass. Errors are `{ "error": { "code", "message", "fields"? } }`.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/v1/sessions' },
          admin: { type: 'http', scheme: 'bearer', description: 'The operator\'s PLAYERPASS_ADMIN_TOKEN (the admin API answers 404 when it is not set)' },
        },
      },
    },
  });

  joinRoutes(app, deps);
  verifyEmailRoutes(app, deps);
  signInRoutes(app, deps);
  signInMfaRoutes(app, deps);
  passkeySignInRoutes(app, deps);
  mfaRoutes(app, deps);
  mfaPageRoutes(app, deps);
  detailsRoutes(app, deps);
  exportRoutes(app, deps);
  deleteRoutes(app, deps);
  changeEmailRoutes(app, deps);
  changePasswordRoutes(app, deps);
  resetPasswordRoutes(app, deps);
  sessionsRoutes(app, deps);
  reportSignInRoutes(app, deps);
  homeRoutes(app, deps);
  maintenanceRoutes(app, deps, { adminToken: services.config.adminToken });
  assetRoutes(app);
  healthRoutes(app, services.readiness, services.metrics);
  oidcRoutes(app, deps, services.oidc, { hsts });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.ready();
  return app;
}
