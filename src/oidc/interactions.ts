import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { Authenticated } from '../flows/sessions/authenticate.ts';
import type { SignInInput } from '../flows/sign-in/input.ts';
import { signIn } from '../flows/sign-in/service.ts';
import { mfaFormInput, mfaStepAgain, sendMfaStep } from '../flows/sign-in-mfa/page-form.ts';
import { completeMfaSignIn } from '../flows/sign-in-mfa/service.ts';
import type { HttpDeps } from '../http/context.ts';
import { html } from '../http/layout/html.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, sendPage } from '../http/pages.ts';
import { pageSession } from '../http/plugins/session.ts';
import { requestContext } from '../http/request-context.ts';
import type { ClientRecord } from './clients.ts';
import { allowFormTarget, widenCspOnSend } from './csp.ts';
import { grantConsent } from './grant.ts';
import { pausedMessage, type OidcService } from './service.ts';
import { consentPage, interactionSignIn } from './views/interaction-pages.ts';
import { setSignedInCookies } from '../flows/sign-in/signed-in-reply.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

interface Loaded {
  provider: Provider;
  details: Details;
  client: ClientRecord;
}

/**
 * Where oidc-provider sends the browser when it needs the member: playerpass's own sign-in (the
 * playerpass session cookie counts, so a signed-in member is not asked again) and a consent page.
 */
export function interactionRoutes(app: FastifyInstance, deps: HttpDeps, oidc: OidcService): void {
  const options = { schema: { hide: true }, onSend: widenCspOnSend };

  app.get('/interaction/:uid', options, async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const { details, client } = loaded;
    const paused = pausedMessage(deps.flows);
    if (paused !== undefined) return finish(request, reply, loaded, { error: 'temporarily_unavailable', error_description: paused });
    const auth = await pageSession(request, deps);
    if (details.prompt.name === 'login') {
      if (auth && sessionSuffices(details, auth, deps.flows.clock.now())) return finish(request, reply, loaded, { login: await loginResult(auth) });
      return showSignIn(request, reply, loaded);
    }
    if (details.prompt.name === 'consent') {
      // Consent is given by the member signed in to playerpass, and only for the account being authorized.
      if (!auth || (await oidc.subjects.forMember(auth.member.id)) !== details.session?.accountId) {
        return finish(request, reply, loaded, { error: 'login_required', error_description: 'the playerpass session ended' });
      }
      if (client.firstParty) return finish(request, reply, loaded, { consent: { grantId: await grantConsent(loaded.provider, details) } });
      const csrf = pageCsrf(request, reply, deps);
      const scopes = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
      return sendPage(reply, { title: `Allow ${client.name}?`, body: consentPage({ uid: details.uid, clientName: client.name, csrf, scopes }), auth, csrf });
    }
    return finish(request, reply, loaded, { error: 'interaction_required', error_description: `unsupported prompt ${details.prompt.name}` });
  });

  app.post('/interaction/:uid/login', options, async (request, reply) => {
    checkFormCsrf(request, deps);
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const values = formFields(request, ['email', 'password']);
    try {
      const signedIn = await signIn(deps.flows, values as SignInInput, requestContext(request, deps));
      // A member with a second factor gets the second step here too; the login finishes only once it is passed.
      if (signedIn.status === 'mfa_required') return sendMfaStep(request, reply, deps, `/interaction/${loaded.details.uid}/mfa`, signedIn);
      setSignedInCookies(reply, deps, signedIn);
      const sub = await oidc.subjects.forMember(signedIn.member.id);
      return finish(request, reply, loaded, { login: { accountId: sub, amr: signedIn.amr, remember: true } });
    } catch (error) {
      const problem = formProblem(error);
      return showSignIn(request, reply, loaded, { email: values.email ?? '', errors: problem.fields, message: problem.message, status: problem.status });
    }
  });

  app.post('/interaction/:uid/mfa', options, async (request, reply) => {
    checkFormCsrf(request, deps);
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const input = mfaFormInput(request);
    const action = `/interaction/${loaded.details.uid}/mfa`;
    try {
      const signedIn = await completeMfaSignIn(deps.flows, input, requestContext(request, deps));
      setSignedInCookies(reply, deps, signedIn);
      const sub = await oidc.subjects.forMember(signedIn.member.id);
      return finish(request, reply, loaded, { login: { accountId: sub, amr: signedIn.amr, remember: true } });
    } catch (error) {
      const again = await mfaStepAgain(request, reply, deps, action, input.challengeId, error);
      if (again) return again;
      return showSignIn(request, reply, loaded, { email: '', errors: {}, message: 'That sign-in step has ended. Sign in again.', status: 400 });
    }
  });

  app.post('/interaction/:uid/consent', options, async (request, reply) => {
    checkFormCsrf(request, deps);
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const auth = await pageSession(request, deps);
    const allowed = formFields(request, ['decision']).decision === 'allow';
    if (!allowed || loaded.details.prompt.name !== 'consent' || !auth || (await oidc.subjects.forMember(auth.member.id)) !== loaded.details.session?.accountId) {
      return finish(request, reply, loaded, { error: 'access_denied', error_description: 'the member did not allow this' });
    }
    return finish(request, reply, loaded, { consent: { grantId: await grantConsent(loaded.provider, loaded.details) } });
  });

  app.post('/interaction/:uid/abort', options, async (request, reply) => {
    checkFormCsrf(request, deps);
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    return finish(request, reply, loaded, { error: 'access_denied', error_description: 'the member cancelled the sign-in' });
  });

  /** The interaction this browser is in (its cookie is scoped to this path), or an "expired" page. */
  async function load(request: FastifyRequest, reply: FastifyReply): Promise<Loaded | undefined> {
    const provider = oidc.provider();
    const { uid } = request.params as { uid: string };
    let details: Details | undefined;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch {
      details = undefined;
    }
    const client = details?.uid === uid ? await oidc.clients.find(String(details.params.client_id)) : undefined;
    if (!details || !client) {
      const csrf = pageCsrf(request, reply, deps);
      const body = html`<p>This sign-in request has expired or was already completed. Go back to the game or site and start again.</p>`;
      await sendPage(reply, { title: 'Sign-in request expired', body, csrf, status: 400 });
      return undefined;
    }
    allowFormTarget(reply, details.params.redirect_uri);
    return { provider, details, client };
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, loaded: Loaded, result: InteractionResults): Promise<FastifyReply> {
    const returnTo = await loaded.provider.interactionResult(request.raw, reply.raw, result);
    return reply.redirect(returnTo, 303);
  }

  async function loginResult(auth: Authenticated): Promise<InteractionResults['login']> {
    return { accountId: await oidc.subjects.forMember(auth.member.id), amr: auth.session.amr, ts: Math.floor(auth.session.authenticatedAt / 1000), remember: true };
  }

  function showSignIn(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: Loaded,
    problem: { email: string; errors: Record<string, string>; message: string | undefined; status: number } | undefined = undefined,
  ): FastifyReply {
    const csrf = pageCsrf(request, reply, deps);
    const body = interactionSignIn({ uid: loaded.details.uid, clientName: loaded.client.name, csrf, ...(problem ? { email: problem.email, errors: problem.errors, message: problem.message } : {}) });
    return sendPage(reply, { title: 'Sign in', body, csrf, status: problem?.status ?? 200 });
  }
}

/**
 * The playerpass session signs the member in, unless the client asked for a fresh sign-in
 * (prompt=login, or max_age exceeded) or for a particular member (id_token_hint, claims.sub).
 */
function sessionSuffices(details: Details, auth: Authenticated, now: number): boolean {
  const reasons = new Set(details.prompt.reasons);
  if (reasons.has('login_prompt') || reasons.has('id_token_hint') || reasons.has('claims_id_token_sub_value')) return false;
  if (details.params.max_age === undefined) return true;
  return now - auth.session.authenticatedAt <= Number(details.params.max_age) * 1000;
}
