import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { html } from '../../http/layout/html.ts';
import { requestContext } from '../../http/request-context.ts';
import { confirmLinkPage } from '../shared/token-page.ts';
import { TokenBody, type TokenInput } from '../token-input.ts';
import { reportSignIn } from './service.ts';

export function reportSignInRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/sign-in-reports',
    {
      schema: {
        summary: '"This wasn\'t me": with the token from a new-device mail, end every session and require a new password',
        tags: ['sessions'],
        body: TokenBody,
      },
    },
    async (request, reply) => {
      await reportSignIn(deps.flows, (request.body as TokenInput).token, requestContext(request, deps));
      return reply.code(200).send({ status: 'secured' });
    },
  );

  confirmLinkPage(app, deps, {
    path: '/not-me',
    title: 'This was not me',
    intro: 'Press the button to sign out every session of your account. You will then choose a new password from the link we mail you.',
    button: 'Sign out everywhere and reset my password',
    done: html`<p>Every session is signed out. We have mailed you a link to choose a new password; until you do, nobody can sign in with the old one.</p>`,
    use: (token, context) => reportSignIn(deps.flows, token, context),
  });
}
