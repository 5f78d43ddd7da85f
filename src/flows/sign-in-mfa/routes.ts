import type { FastifyInstance } from 'fastify';
import { capabilityRefusal, sendCapabilityNotice } from '../../http/capability-notice.ts';
import type { HttpDeps } from '../../http/context.ts';
import { checkFormCsrf, pageCsrf, sendPage } from '../../http/pages.ts';
import { requestContext } from '../../http/request-context.ts';
import { SignInReply } from '../sign-in/input.ts';
import { signInForm } from '../sign-in/views/sign-in-page.ts';
import { MfaSignInBody, type MfaSignInInput } from './input.ts';
import { mfaFormInput, mfaStepAgain } from './page-form.ts';
import { completeMfaSignIn } from './service.ts';
import { sendSignedIn, setSignedInCookies } from '../sign-in/signed-in-reply.ts';

export function signInMfaRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/sessions/mfa',
    {
      schema: {
        summary: 'Second sign-in step: the challenge id from POST /api/v1/sessions and one second factor',
        description:
          'Exactly one of `code` (authenticator app), `recoveryCode` or `passkey` (a WebAuthn assertion over `passkeyOptions`). 401 second_factor_invalid for a wrong, reused or stale factor; a challenge takes 5 wrong tries and lasts 5 minutes (400 mfa_challenge_invalid after); 429 rate_limited past the per-member failure budget.',
        tags: ['sessions'],
        body: MfaSignInBody,
        response: { 201: SignInReply },
      },
    },
    async (request, reply) => {
      const signedIn = await completeMfaSignIn(deps.flows, request.body as MfaSignInInput, requestContext(request, deps));
      return sendSignedIn(reply, deps, signedIn);
    },
  );

  app.post('/sign-in/mfa', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const refusal = capabilityRefusal(deps, 'sign_in');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Sign in', refusal, csrf: pageCsrf(request, reply, deps) });
    const input = mfaFormInput(request);
    try {
      const signedIn = await completeMfaSignIn(deps.flows, input, requestContext(request, deps));
      setSignedInCookies(reply, deps, signedIn);
      return reply.redirect('/account', 303);
    } catch (error) {
      const again = await mfaStepAgain(request, reply, deps, '/sign-in/mfa', input.challengeId, error);
      if (again) return again;
      const csrf = pageCsrf(request, reply, deps);
      return sendPage(reply, { title: 'Sign in', body: signInForm(csrf, {}, {}, 'That sign-in step has ended. Sign in again.'), csrf, status: 400 });
    }
  });
}
