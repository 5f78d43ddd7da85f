import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { field, form } from '../../http/layout/form.ts';
import { html, type SafeHtml } from '../../http/layout/html.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, queryToken, sendPage } from '../../http/pages.ts';
import { pageSession } from '../../http/plugins/session.ts';
import { requestContext } from '../../http/request-context.ts';
import type { RequestContext } from '../deps.ts';

/**
 * A mailed link's page: GET shows a button, POST uses the token. Using a token on GET would let mail
 * scanners that prefetch links burn it before the member clicks.
 */
export function confirmLinkPage(
  app: FastifyInstance,
  deps: HttpDeps,
  options: { path: string; title: string; intro: string; button: string; done: SafeHtml; use: (token: string, context: RequestContext) => Promise<void> },
): void {
  const body = (csrf: string, token: string, error?: string) =>
    html`<p>${options.intro}</p>${form({ action: options.path, csrfToken: csrf, submitLabel: options.button, error, fields: [field({ name: 'token', label: '', type: 'hidden', value: token })] })}`;

  app.get(options.path, { schema: { hide: true } }, async (request, reply) => {
    const csrf = pageCsrf(request, reply, deps);
    return sendPage(reply, { title: options.title, body: body(csrf, queryToken(request)), auth: await pageSession(request, deps), csrf });
  });

  app.post(options.path, { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const csrf = pageCsrf(request, reply, deps);
    const { token = '' } = formFields(request, ['token']);
    const auth = await pageSession(request, deps);
    try {
      await options.use(token, requestContext(request, deps));
    } catch (error) {
      const problem = formProblem(error);
      return sendPage(reply, { title: options.title, body: html`<p>${problem.message}</p>`, auth, csrf, status: problem.status, notice: { kind: 'error', text: 'This link did not work.' } });
    }
    return sendPage(reply, { title: options.title, body: options.done, auth, csrf, notice: { kind: 'success', text: 'Done.' } });
  });
}
