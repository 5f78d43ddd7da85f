import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { html } from '../../http/layout/html.ts';
import { requireApiSession } from '../../http/plugins/session.ts';
import { requestContext } from '../../http/request-context.ts';
import { accountFormRoute } from '../details/account-form-route.ts';
import { AcceptedReply } from '../join/input.ts';
import { confirmLinkPage } from '../shared/token-page.ts';
import { TokenBody, type TokenInput } from '../token-input.ts';
import { ChangeEmailBody, type ChangeEmailInput } from './input.ts';
import { confirmEmailChange, requestEmailChange } from './service.ts';

export function changeEmailRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/me/email',
    {
      schema: {
        summary: 'Ask to change the email address: a confirmation link goes to the new address',
        tags: ['me'],
        security: [{ bearer: [] }],
        body: ChangeEmailBody,
        response: { 202: AcceptedReply },
      },
    },
    async (request, reply) => {
      const auth = await requireApiSession(request, deps);
      await requestEmailChange(deps.flows, auth.member, request.body as ChangeEmailInput);
      return reply.code(202).send({ status: 'confirmation_sent' });
    },
  );

  app.post(
    '/api/v1/email-changes',
    { schema: { summary: 'Confirm an email change with the token mailed to the new address', tags: ['me'], body: TokenBody } },
    async (request, reply) => {
      await confirmEmailChange(deps.flows, (request.body as TokenInput).token, requestContext(request, deps));
      return reply.code(200).send({ status: 'email_changed' });
    },
  );

  accountFormRoute(app, deps, {
    path: '/account/email',
    form: 'email',
    fields: ['newEmail', 'currentPassword'],
    run: (auth, values) => requestEmailChange(deps.flows, auth.member, values as ChangeEmailInput),
  });

  confirmLinkPage(app, deps, {
    path: '/confirm-email',
    title: 'Confirm your new email address',
    intro: 'Press the button to move your playerpass account to this email address.',
    button: 'Use this email address',
    done: html`<p>Your email address has been changed. <a href="/account">Back to your account</a>.</p>`,
    use: (token, context) => confirmEmailChange(deps.flows, token, context),
  });
}
