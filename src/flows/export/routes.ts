import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, requirePageSession } from '../../http/pages.ts';
import { requireApiSession } from '../../http/plugins/session.ts';
import { sendAccountPage } from '../details/account-form-route.ts';
import { isRecentlyAuthenticated, reauthenticate } from '../mfa/recent-auth.ts';
import { AccountExport, exportFormFields, type AccountExportDocument } from './input.ts';
import { exportAccount, exportFileName } from './service.ts';

/** The file, as a download: never cached, never sniffed. */
function asAttachment(reply: FastifyReply, deps: HttpDeps): FastifyReply {
  return reply
    .type('application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="${exportFileName(deps.flows.clock.now())}"`)
    .header('cache-control', 'no-store');
}

export function exportRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/api/v1/me/export',
    {
      schema: {
        summary: 'Everything playerpass holds about the member, as a JSON file (GDPR access and portability)',
        description:
          'Decrypted profile, sessions, known devices, second factors (never their secrets), the games and sites signed in to, and the audit events about the member. ' +
          'Needs a sign-in within the last 10 minutes (403 reauthentication_required otherwise: see POST /api/v1/sessions/current/reauthentication). ' +
          'Three per hour per member (429 rate_limited). Served with `content-disposition: attachment`.',
        tags: ['me'],
        security: [{ bearer: [] }],
        response: { 200: AccountExport },
      },
    },
    async (request, reply) => {
      const document = await exportAccount(deps.flows, await requireApiSession(request, deps));
      return asAttachment(reply, deps).send(document);
    },
  );

  // The account page's button: the password first when the sign-in is not recent, then the file.
  app.post('/account/export', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    let document: AccountExportDocument;
    try {
      if (!isRecentlyAuthenticated(deps.flows, auth)) await reauthenticate(deps.flows, auth, formFields(request, exportFormFields).password ?? '');
      document = await exportAccount(deps.flows, auth);
    } catch (error) {
      const problem = formProblem(error);
      if (problem.status === 429) reply.header('retry-after', String((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60));
      return sendAccountPage(reply, deps, { auth, csrf: pageCsrf(request, reply, deps), exportError: { message: problem.fields.currentPassword ?? problem.message, status: problem.status } });
    }
    return asAttachment(reply, deps).send(JSON.stringify(document, null, 2));
  });
}
