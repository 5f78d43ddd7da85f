import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { PassError } from '../domain/errors.ts';
import type { HttpDeps } from '../http/context.ts';
import { sendError } from '../http/plugins/error-handler.ts';
import { setSecurityHeaders } from '../http/plugins/security-headers.ts';
import { OIDC_SESSION_COOKIE } from './provider.ts';
import type { OidcService } from './service.ts';
import { pausedMessage } from './service.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * oidc-provider (a Koa app) under /oidc, plus /link (its device code entry page) and the root
 * discovery document. These routes live in a scope with no body parser: oidc-provider reads the
 * raw body itself. The reply is hijacked, so Fastify's onSend hooks never run: the same security
 * headers are put on the raw response before oidc-provider writes it.
 */
export function mountOidc(app: FastifyInstance, deps: HttpDeps, oidc: OidcService, options: { hsts: boolean }): void {
  const publicUrl = new URL(oidc.issuer);
  const handlers = new WeakMap<Provider, Handler>();
  const handlerOf = (provider: Provider): Handler => {
    let handler = handlers.get(provider);
    if (!handler) handlers.set(provider, (handler = provider.callback() as unknown as Handler));
    return handler;
  };

  const handOff = async (request: FastifyRequest, reply: FastifyReply, innerUrl: string): Promise<void> => {
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    // oidc-provider works out its mount path from originalUrl, and sees the public origin whatever
    // address this node was reached at, with the client address as Fastify determined it.
    raw.originalUrl = `/oidc${innerUrl}`;
    raw.url = innerUrl;
    raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    raw.headers['x-forwarded-host'] = publicUrl.host;
    raw.headers['x-forwarded-for'] = request.ip;
    setSecurityHeaders(request, reply, options);
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value as string);
    reply.hijack();
    await handlerOf(oidc.provider())(raw, reply.raw);
  };

  const paused = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const message = pausedMessage(deps.flows);
    return message === undefined ? undefined : sendError(request, reply, new PassError('capability_offline', { message, retryAfterSeconds: 300 }));
  };

  /** /link (and oidc-provider's own /oidc/device): code entry, rate-limited per IP. */
  const link = async (request: FastifyRequest, reply: FastifyReply) => {
    if (paused(request, reply)) return reply;
    if (request.method === 'POST') {
      try {
        await deps.flows.limits.consume('device_code_ip', request.ip);
      } catch (error) {
        if (error instanceof PassError) return sendError(request, reply, error);
        throw error;
      }
      // Without oidc-provider's session cookie there is no form token to check (and oidc-provider
      // would fail on the new session): start over at the form.
      if (!request.cookies[OIDC_SESSION_COOKIE]) return reply.redirect('/link', 303);
      return handOff(request, reply, '/device');
    }
    // The code from a QR code's link is only put in the field: the member still reads and submits it.
    const code = (request.query as Record<string, unknown>).user_code;
    return handOff(request, reply, typeof code === 'string' && code.length <= 20 ? `/device?prefill=${encodeURIComponent(code)}` : '/device');
  };

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    scope.route({ method: ['GET', 'POST'], url: '/link', schema: { hide: true }, handler: link });
    scope.get('/.well-known/openid-configuration', { schema: { hide: true } }, (request, reply) => handOff(request, reply, '/.well-known/openid-configuration'));
    scope.route({
      method: ['GET', 'POST', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'],
      url: '/oidc/*',
      schema: { hide: true },
      handler: async (request, reply) => {
        const innerUrl = request.raw.url!.slice('/oidc'.length);
        const path = innerUrl.split('?')[0]!;
        if (path === '/device') return request.method === 'GET' ? reply.redirect(`/link${innerUrl.slice(path.length)}`, 303) : link(request, reply);
        if (path === '/device/auth' && request.method === 'POST') {
          const message = pausedMessage(deps.flows);
          if (message !== undefined) return reply.code(503).header('retry-after', '300').send({ error: 'temporarily_unavailable', error_description: message });
        }
        return handOff(request, reply, innerUrl);
      },
    });
  });
}
