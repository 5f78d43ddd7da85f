import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { HttpDeps } from '../../http/context.ts';
import { checkFormCsrf, pageCsrf, requirePageSession, sendPage } from '../../http/pages.ts';
import { requireApiSession } from '../../http/plugins/session.ts';
import { listSessions, revokeOtherSessions, revokeSession } from './service.ts';
import { sessionsPage } from './views/sessions-page.ts';

const SessionList = Type.Array(
  Type.Object({
    id: Type.String(),
    current: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
    device: Type.Union([Type.String(), Type.Null()]),
    ipPrefix: Type.Union([Type.String(), Type.Null()]),
  }),
);
const SessionParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export function sessionsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const security = [{ bearer: [] }];
  app.get('/api/v1/me/sessions', { schema: { summary: 'Where the member is signed in', tags: ['sessions'], security, response: { 200: SessionList } } }, async (request) =>
    listSessions(deps.flows, await requireApiSession(request, deps)),
  );

  app.delete('/api/v1/me/sessions/:id', { schema: { summary: 'Sign one session out', tags: ['sessions'], security, params: SessionParams } }, async (request, reply) => {
    await revokeSession(deps.flows, await requireApiSession(request, deps), (request.params as { id: string }).id);
    return reply.code(204).send();
  });

  app.delete('/api/v1/me/sessions', { schema: { summary: 'Sign out every session but the current one', tags: ['sessions'], security } }, async (request, reply) => {
    await revokeOtherSessions(deps.flows, await requireApiSession(request, deps));
    return reply.code(204).send();
  });

  app.get('/account/sessions', { schema: { hide: true } }, async (request, reply) => {
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    const csrf = pageCsrf(request, reply, deps);
    return sendPage(reply, { title: 'Your sessions', body: sessionsPage(csrf, await listSessions(deps.flows, auth)), auth, csrf });
  });

  app.post('/account/sessions/:id/revoke', { schema: { hide: true, params: SessionParams } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    await revokeSession(deps.flows, auth, (request.params as { id: string }).id).catch(() => undefined);
    return reply.redirect('/account/sessions', 303);
  });

  app.post('/account/sessions/revoke-others', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    await revokeOtherSessions(deps.flows, auth);
    return reply.redirect('/account/sessions', 303);
  });
}
