import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { pageCsrf, requirePageSession } from '../../http/pages.ts';
import { requireApiSession } from '../../http/plugins/session.ts';
import { accountFormRoute, sendAccountPage } from './account-form-route.ts';
import { DetailsPatchBody, MeReply, type DetailsPatch } from './input.ts';
import { describeMember, readDetails, updateDetails } from './service.ts';
import { accountDoneMessages, type AccountForm } from './views/account-page.ts';

export function detailsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/api/v1/me',
    { schema: { summary: 'The signed-in member', tags: ['me'], security: [{ bearer: [] }], response: { 200: MeReply } } },
    async (request) => readDetails(deps.flows, (await requireApiSession(request, deps)).member),
  );

  app.patch(
    '/api/v1/me',
    {
      schema: { summary: 'Change display name and/or birth date', tags: ['me'], security: [{ bearer: [] }], body: DetailsPatchBody, response: { 200: MeReply } },
    },
    async (request) => {
      const auth = await requireApiSession(request, deps);
      return describeMember(await updateDetails(deps.flows, auth.member, request.body as DetailsPatch));
    },
  );

  app.get('/account', { schema: { hide: true } }, async (request, reply) => {
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    const csrf = pageCsrf(request, reply, deps);
    const done = (request.query as Record<string, unknown>).done;
    const text = typeof done === 'string' && Object.hasOwn(accountDoneMessages, done) ? accountDoneMessages[done as AccountForm] : undefined;
    return sendAccountPage(reply, deps, { auth, csrf, notice: text ? { kind: 'success', text } : undefined });
  });

  accountFormRoute(app, deps, {
    path: '/account/details',
    form: 'details',
    fields: ['displayName', 'birthDate'],
    run: (auth, values) => updateDetails(deps.flows, auth.member, values),
  });
}
