import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { scripts } from '../../http/assets.ts';
import { formJson } from '../../http/form-json.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, sendPage } from '../../http/pages.ts';
import { requestContext } from '../../http/request-context.ts';
import { SignInReply } from '../sign-in/input.ts';
import { signInForm } from '../sign-in/views/sign-in-page.ts';
import { PasskeySignInBody, PasskeySignInOptionsReply, type PasskeySignInInput } from './input.ts';
import { passkeySignIn, passkeySignInOptions } from './service.ts';
import { sendSignedIn, setSignedInCookies } from '../sign-in/signed-in-reply.ts';

export function passkeySignInRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/passkey-sign-ins',
    {
      schema: {
        summary: 'Start a passwordless sign-in with a passkey: options for navigator.credentials.get()',
        description: 'Discoverable credentials with user verification; finish with POST /api/v1/passkey-sign-ins/verify within 5 minutes.',
        tags: ['sessions'],
        response: { 201: PasskeySignInOptionsReply },
      },
    },
    async (request, reply) => {
      const started = await passkeySignInOptions(deps.flows, requestContext(request, deps));
      return reply.code(201).send({ ...started, expiresAt: new Date(started.expiresAt).toISOString() });
    },
  );

  app.post(
    '/api/v1/passkey-sign-ins/verify',
    {
      schema: {
        summary: 'Finish a passwordless sign-in with the passkey assertion',
        description: '401 second_factor_invalid for an unknown passkey or a bad assertion; each challenge takes one try.',
        tags: ['sessions'],
        body: PasskeySignInBody,
        response: { 201: SignInReply },
      },
    },
    async (request, reply) => {
      const signedIn = await passkeySignIn(deps.flows, request.body as PasskeySignInInput, requestContext(request, deps));
      return sendSignedIn(reply, deps, signedIn);
    },
  );

  app.post('/sign-in/passkey', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const values = formFields(request, ['challengeId']);
    try {
      const signedIn = await passkeySignIn(deps.flows, { challengeId: values.challengeId ?? '', response: formJson(request, 'response') }, requestContext(request, deps));
      setSignedInCookies(reply, deps, signedIn);
      return reply.redirect('/account', 303);
    } catch (error) {
      const problem = formProblem(error);
      const csrf = pageCsrf(request, reply, deps);
      return sendPage(reply, { title: 'Sign in', body: signInForm(csrf, {}, {}, problem.message), csrf, status: problem.status, scripts: [scripts.webauthn, scripts.passkeys] });
    }
  });
}
