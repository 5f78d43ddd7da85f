import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './context.ts';
import { html } from './layout/html.ts';
import { pageCsrf, sendPage } from './pages.ts';
import { pageSession } from './plugins/session.ts';

export function homeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if (await pageSession(request, deps)) return reply.redirect('/account', 303);
    const csrf = pageCsrf(request, reply, deps);
    const body = html`<p>One account for every game, site and console of the network.</p>
      <p><a class="button" href="/join">Join playerpass</a> <a href="/sign-in">Sign in</a></p>`;
    return sendPage(reply, { title: 'Welcome to playerpass', body, csrf });
  });
}
