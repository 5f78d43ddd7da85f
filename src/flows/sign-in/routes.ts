import type { FastifyInstance } from 'fastify';
import { capabilityRefusal, sendCapabilityNotice } from '../../http/capability-notice.ts';
import type { HttpDeps } from '../../http/context.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, sendPage } from '../../http/pages.ts';
import { clearSessionCookie, pageSession, requireApiSession } from '../../http/plugins/session.ts';
import { requestContext } from '../../http/request-context.ts';
import { scripts } from '../../http/assets.ts';
import { signOut } from '../sessions/service.ts';
import { MfaRequiredReply, mfaRequiredReply } from '../sign-in-mfa/input.ts';
import { sendMfaStep } from '../sign-in-mfa/page-form.ts';
import { SignInBody, SignInReply, type SignInInput } from './input.ts';
import { signIn } from './service.ts';
import { signInForm, signOutForm } from './views/sign-in-page.ts';
import { sendSignedIn, setSignedInCookies } from './signed-in-reply.ts';

export function signInRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/sessions',
    {
      schema: {
        summary: 'Sign in with email and password',
        description:
          '401 credentials_invalid for any wrong email or password; 403 email_unverified (a new link is mailed) for the right password before the email is confirmed. A member with a second factor gets 200 `{"status":"mfa_required","challengeId",…}` instead of a session: finish with POST /api/v1/sessions/mfa.',
        tags: ['sessions'],
        body: SignInBody,
        response: { 201: SignInReply, 200: MfaRequiredReply },
      },
    },
    async (request, reply) => {
      const signedIn = await signIn(deps.flows, request.body as SignInInput, requestContext(request, deps));
      if (signedIn.status === 'mfa_required') return reply.code(200).send(mfaRequiredReply(signedIn));
      return sendSignedIn(reply, deps, signedIn);
    },
  );

  app.delete(
    '/api/v1/sessions/current',
    { schema: { summary: 'Sign out: revoke the session of this token', tags: ['sessions'], security: [{ bearer: [] }] } },
    async (request, reply) => {
      await signOut(deps.flows, await requireApiSession(request, deps));
      clearSessionCookie(reply, deps);
      return reply.code(204).send();
    },
  );

  app.get('/sign-in', { schema: { hide: true } }, async (request, reply) => {
    if (await pageSession(request, deps)) return reply.redirect('/account', 303);
    const csrf = pageCsrf(request, reply, deps);
    const refusal = capabilityRefusal(deps, 'sign_in');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Sign in', refusal, csrf });
    return sendPage(reply, { title: 'Sign in', body: signInForm(csrf), csrf, scripts: [scripts.webauthn, scripts.passkeys] });
  });

  app.post('/sign-in', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const refusal = capabilityRefusal(deps, 'sign_in');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Sign in', refusal, csrf: pageCsrf(request, reply, deps) });
    const values = formFields(request, ['email', 'password']);
    try {
      const signedIn = await signIn(deps.flows, values as SignInInput, requestContext(request, deps));
      if (signedIn.status === 'mfa_required') return sendMfaStep(request, reply, deps, '/sign-in/mfa', signedIn);
      setSignedInCookies(reply, deps, signedIn);
      return reply.redirect('/account', 303);
    } catch (error) {
      const problem = formProblem(error);
      const csrf = pageCsrf(request, reply, deps);
      return sendPage(reply, { title: 'Sign in', body: signInForm(csrf, values, problem.fields, problem.message), csrf, status: problem.status, scripts: [scripts.webauthn, scripts.passkeys] });
    }
  });

  app.get('/sign-out', { schema: { hide: true } }, async (request, reply) => {
    const csrf = pageCsrf(request, reply, deps);
    const auth = await pageSession(request, deps);
    if (!auth) return reply.redirect('/sign-in', 303);
    return sendPage(reply, { title: 'Sign out', body: signOutForm(csrf), auth, csrf });
  });

  app.post('/sign-out', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const auth = await pageSession(request, deps);
    if (auth) await signOut(deps.flows, auth);
    clearSessionCookie(reply, deps);
    return reply.redirect('/sign-in', 303);
  });
}
