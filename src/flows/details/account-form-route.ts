import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, requirePageSession, sendPage } from '../../http/pages.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { accountPage, type AccountForm } from './views/account-page.ts';

/**
 * One of the account page's forms: on success, redirect back (post/redirect/get) with a notice;
 * on failure, the account page again with that form's errors.
 */
export function accountFormRoute(
  app: FastifyInstance,
  deps: HttpDeps,
  options: { path: string; form: AccountForm; fields: readonly string[]; run: (auth: Authenticated, values: Record<string, string>) => Promise<unknown> },
): void {
  app.post(options.path, { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    const values = formFields(request, options.fields);
    try {
      await options.run(auth, values);
    } catch (error) {
      const problem = formProblem(error);
      const csrf = pageCsrf(request, reply, deps);
      const state = { form: options.form, values, errors: problem.fields, message: problem.message };
      return sendPage(reply, { title: 'Your account', body: accountPage(csrf, auth.member, state), auth, csrf, status: problem.status });
    }
    return reply.redirect(`/account?done=${options.form}`, 303);
  });
}
