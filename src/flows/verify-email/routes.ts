import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { html } from '../../http/layout/html.ts';
import { requestContext } from '../../http/request-context.ts';
import { confirmLinkPage } from '../shared/token-page.ts';
import { TokenBody, type TokenInput } from '../token-input.ts';
import { verifyEmail } from './service.ts';

export function verifyEmailRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/email-verifications',
    { schema: { summary: 'Confirm an email address with the token from the mailed link', tags: ['members'], body: TokenBody } },
    async (request, reply) => {
      await verifyEmail(deps.flows, (request.body as TokenInput).token, requestContext(request, deps));
      return reply.code(200).send({ status: 'verified' });
    },
  );

  confirmLinkPage(app, deps, {
    path: '/verify',
    title: 'Confirm your email address',
    intro: 'Press the button to confirm that this email address is yours.',
    button: 'Confirm my email address',
    done: html`<p>Your email address is confirmed. You can now <a href="/sign-in">sign in</a>.</p>`,
    use: (token, context) => verifyEmail(deps.flows, token, context),
  });
}
