import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { scripts } from '../../http/assets.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, requirePageSession, sendPage, type PageNotice } from '../../http/pages.ts';
import { formJson } from '../../http/form-json.ts';
import { toPassError } from '../../http/plugins/error-handler.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { PasskeyParams } from './input.ts';
import { listPasskeys, passkeyRegistrationOptions, registerPasskey, removePasskey, renamePasskey } from './passkeys.ts';
import { isRecentlyAuthenticated, reauthenticate } from './recent-auth.ts';
import { regenerateRecoveryCodes } from './recovery-codes.ts';
import { mfaStatus } from './service.ts';
import { confirmTotp, pendingTotp, removeTotp, startTotp } from './totp.ts';
import { recoveryCodesPage } from './views/recovery-codes.ts';
import { securityDoneMessages, securityPage } from './views/security-page.ts';
import { totpSetupPage } from './views/totp-setup.ts';
import type { RegistrationResponseJSON } from './webauthn.ts';

const TITLE = 'Sign-in security';

/** /account/security: the member's second factors, through forms (and the passkeys script). */
export function mfaPageRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const flows = deps.flows;

  async function sendSecurity(request: FastifyRequest, reply: FastifyReply, auth: Authenticated, extra: { notice?: PageNotice; status?: number; confirmError?: string } = {}) {
    const csrf = pageCsrf(request, reply, deps);
    const body = securityPage({
      csrf,
      email: auth.member.email,
      status: await mfaStatus(flows.store, auth.member.id),
      passkeys: await listPasskeys(flows, auth),
      recent: isRecentlyAuthenticated(flows, auth),
      confirmError: extra.confirmError,
    });
    return sendPage(reply, { title: TITLE, body, auth, csrf, notice: extra.notice, status: extra.status ?? 200, scripts: [scripts.webauthn, scripts.passkeys] });
  }

  /** A form post of the security page: CSRF, session, the work, then a redirect or the page with the error. */
  function post(path: string, fields: readonly string[], run: (auth: Authenticated, values: Record<string, string>, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | string>, options: { params?: typeof PasskeyParams } = {}) {
    app.post(path, { schema: { hide: true, ...(options.params ? { params: options.params } : {}) } }, async (request, reply) => {
      checkFormCsrf(request, deps);
      const auth = await requirePageSession(request, reply, deps);
      if (!auth) return reply;
      try {
        const done = await run(auth, formFields(request, fields), request, reply);
        return typeof done === 'string' ? reply.redirect(`/account/security?done=${done}`, 303) : done;
      } catch (error) {
        const problem = formProblem(error);
        return sendSecurity(request, reply, auth, { notice: { kind: 'error', text: problem.message ?? 'That did not work.' }, status: problem.status });
      }
    });
  }

  const codesPage = (request: FastifyRequest, reply: FastifyReply, auth: Authenticated, codes: string[], intro: string) => {
    const csrf = pageCsrf(request, reply, deps);
    return sendPage(reply, { title: 'Your recovery codes', body: recoveryCodesPage(codes, intro), auth, csrf });
  };

  app.get('/account/security', { schema: { hide: true } }, async (request, reply) => {
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    const done = (request.query as Record<string, unknown>).done;
    const text = typeof done === 'string' && Object.hasOwn(securityDoneMessages, done) ? securityDoneMessages[done] : undefined;
    return sendSecurity(request, reply, auth, text ? { notice: { kind: 'success', text } } : {});
  });

  app.post('/account/security/confirm', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    try {
      await reauthenticate(flows, auth, formFields(request, ['password']).password ?? '');
    } catch (error) {
      const problem = formProblem(error);
      return sendSecurity(request, reply, auth, { confirmError: problem.message, status: problem.status });
    }
    return reply.redirect('/account/security?done=confirmed', 303);
  });

  post('/account/security/totp', [], async (auth, _values, request, reply) => {
    const enrolment = await startTotp(flows, auth);
    const csrf = pageCsrf(request, reply, deps);
    return sendPage(reply, { title: 'Set up your authenticator app', body: totpSetupPage(csrf, enrolment), auth, csrf });
  });

  post('/account/security/totp/confirm', ['code'], async (auth, values, request, reply) => {
    try {
      const { recoveryCodes } = await confirmTotp(flows, auth, values.code ?? '');
      return recoveryCodes ? codesPage(request, reply, auth, recoveryCodes, 'Your authenticator app is on.') : 'totp';
    } catch (error) {
      const enrolment = toPassError(error).code === 'validation_failed' ? await pendingTotp(flows, auth) : undefined;
      if (!enrolment) throw error;
      const csrf = pageCsrf(request, reply, deps);
      const problem = formProblem(error);
      return sendPage(reply, { title: 'Set up your authenticator app', body: totpSetupPage(csrf, enrolment, problem.fields.code), auth, csrf, status: 400 });
    }
  });

  post('/account/security/totp/remove', [], async (auth) => {
    await removeTotp(flows, auth);
    return 'totp_removed';
  });

  post('/account/security/recovery-codes', [], async (auth, _values, request, reply) =>
    codesPage(request, reply, auth, await regenerateRecoveryCodes(flows, auth), 'Here are your new recovery codes. The old ones no longer work.'),
  );

  // Asked for by the passkeys script (JSON, with the page's CSRF token in the body).
  app.post('/account/security/passkeys/options', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const auth = await requirePageSession(request, reply, deps);
    if (!auth) return reply;
    const started = await passkeyRegistrationOptions(flows, auth);
    return reply.send({ challengeId: started.challengeId, options: started.options });
  });

  post('/account/security/passkeys', ['challengeId', 'name'], async (auth, values, request, reply) => {
    const response = formJson(request, 'response');
    const registered = await registerPasskey(flows, auth, { challengeId: values.challengeId ?? '', name: values.name, response: response as unknown as RegistrationResponseJSON });
    return registered.recoveryCodes ? codesPage(request, reply, auth, registered.recoveryCodes, `Your passkey "${registered.passkey.name}" is added.`) : 'passkey';
  });

  post('/account/security/passkeys/:id/rename', ['name'], async (auth, values, request) => {
    await renamePasskey(flows, auth, (request.params as { id: string }).id, values.name ?? '');
    return 'passkey_renamed';
  }, { params: PasskeyParams });

  post('/account/security/passkeys/:id/remove', [], async (auth, _values, request) => {
    await removePasskey(flows, auth, (request.params as { id: string }).id);
    return 'passkey_removed';
  }, { params: PasskeyParams });
}
