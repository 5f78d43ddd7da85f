import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { capabilityRefusal, sendCapabilityNotice } from '../../http/capability-notice.ts';
import type { HttpDeps } from '../../http/context.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, requirePageSession, sendPage } from '../../http/pages.ts';
import { clearSessionCookie, requireApiSession } from '../../http/plugins/session.ts';
import { isRecentlyAuthenticated } from '../mfa/recent-auth.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { DeleteAccountBody, deleteFormFields, type DeleteAccountInput } from './input.ts';
import { deleteAccount } from './service.ts';
import { deletedPage, deletePage, type DeletePageState } from './views/delete-page.ts';

const TITLE = 'Delete your account';

export function deleteRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.delete(
    '/api/v1/me',
    {
      schema: {
        summary: 'Delete the account and everything held about the member (GDPR erasure)',
        description:
          'Needs `currentPassword` (403 password_incorrect when wrong); an account without a password needs a sign-in within the last 10 minutes instead (403 reauthentication_required). ' +
          'Every session ends, the games and sites signed in to lose their tokens, and a last mail confirms it to the address, which can join again at once. ' +
          'Only the audit trail keeps the bare member id. Refused while `profile_changes` is not on (503 capability_offline).',
        tags: ['me'],
        security: [{ bearer: [] }],
        body: DeleteAccountBody,
      },
    },
    async (request, reply) => {
      const auth = await requireApiSession(request, deps);
      await deleteAccount(deps.flows, auth, (request.body ?? {}) as DeleteAccountInput, request.ip);
      return reply.code(204).send();
    },
  );

  async function sendDeletePage(request: FastifyRequest, reply: FastifyReply, auth: Authenticated, state?: DeletePageState & { status: number }) {
    const csrf = pageCsrf(request, reply, deps);
    const refusal = capabilityRefusal(deps, 'profile_changes', 'write');
    if (refusal) return sendCapabilityNotice(reply, { title: TITLE, refusal, csrf, auth });
    const hasPassword = await deps.flows.store.members.password(auth.member.id).then((p) => p !== undefined);
    const body = deletePage(csrf, { email: auth.member.email, hasPassword, recentAuth: isRecentlyAuthenticated(deps.flows, auth), ...(state ? { state } : {}) });
    return sendPage(reply, { title: TITLE, body, auth, csrf, status: state?.status ?? 200 });
  }

  app.get('/account/delete', { schema: { hide: true } }, async (request, reply) => {
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    return sendDeletePage(request, reply, auth);
  });

  app.post('/account/delete', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    try {
      const { currentPassword } = formFields(request, deleteFormFields);
      await deleteAccount(deps.flows, auth, currentPassword ? { currentPassword } : {}, request.ip);
    } catch (error) {
      const problem = formProblem(error);
      return sendDeletePage(request, reply, auth, { error: problem.message, fieldError: problem.fields.currentPassword, status: problem.status });
    }
    clearSessionCookie(reply, deps);
    return reply.redirect('/account/deleted', 303);
  });

  app.get('/account/deleted', { schema: { hide: true } }, async (request, reply) => {
    const csrf = pageCsrf(request, reply, deps);
    return sendPage(reply, { title: 'Your account is deleted', body: deletedPage(), csrf });
  });
}
