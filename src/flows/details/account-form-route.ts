import type { FastifyInstance, FastifyReply } from 'fastify';
import { capabilityNotice, capabilityRefusal, sendCapabilityNotice } from '../../http/capability-notice.ts';
import type { HttpDeps } from '../../http/context.ts';
import { html } from '../../http/layout/html.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, requirePageSession, sendPage, type PageNotice } from '../../http/pages.ts';
import { isRecentlyAuthenticated } from '../mfa/recent-auth.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { accountPage, type AccountForm, type AccountFormState } from './views/account-page.ts';

/**
 * The account page as the profile_changes switch allows: whole while on; the details with the
 * operator's message instead of the forms while read-only (503 for a form posted anyway); only the
 * message while off.
 */
export function sendAccountPage(
  reply: FastifyReply,
  deps: HttpDeps,
  options: { auth: Authenticated; csrf: string; state?: AccountFormState; notice?: PageNotice | undefined; posted?: boolean; exportError?: { message: string | undefined; status: number } },
): FastifyReply {
  const { auth, csrf } = options;
  const unreadable = capabilityRefusal(deps, 'profile_changes', 'read');
  if (unreadable) {
    return sendCapabilityNotice(reply, { title: 'Your account', refusal: unreadable, csrf, auth, more: html`<p><a href="/account/sessions">See where you are signed in</a></p>` });
  }
  const locked = capabilityRefusal(deps, 'profile_changes', 'write');
  if (locked && options.posted) reply.header('retry-after', String(locked.retryAfterSeconds ?? 300));
  const data = { recentAuth: isRecentlyAuthenticated(deps.flows, auth), exportError: options.exportError?.message };
  return sendPage(reply, {
    title: 'Your account',
    body: accountPage(csrf, auth.member, options.state, locked ? capabilityNotice(locked) : undefined, data),
    auth,
    csrf,
    notice: options.notice,
    status: options.exportError?.status ?? (locked && options.posted ? locked.status : 200),
  });
}

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
    if (capabilityRefusal(deps, 'profile_changes', 'write')) return sendAccountPage(reply, deps, { auth, csrf: pageCsrf(request, reply, deps), posted: true });
    const values = formFields(request, options.fields);
    try {
      await options.run(auth, values);
    } catch (error) {
      const problem = formProblem(error);
      const csrf = pageCsrf(request, reply, deps);
      const state = { form: options.form, values, errors: problem.fields, message: problem.message };
      return sendPage(reply, { title: 'Your account', body: accountPage(csrf, auth.member, state, undefined, { recentAuth: isRecentlyAuthenticated(deps.flows, auth) }), auth, csrf, status: problem.status });
    }
    return reply.redirect(`/account?done=${options.form}`, 303);
  });
}
