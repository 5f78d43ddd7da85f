import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { HttpDeps } from '../../http/context.ts';
import { requireApiSession } from '../../http/plugins/session.ts';
import {
  MfaStatusReply,
  PasskeyOptionsReply,
  PasskeyParams,
  PasskeyRegisterBody,
  PasskeyRegisterReply,
  PasskeyRenameBody,
  PasskeyView,
  ReauthenticateBody,
  RecoveryCodesReply,
  TotpConfirmBody,
  TotpConfirmReply,
  TotpEnrolmentReply,
  type PasskeyRegisterInput,
  type ReauthenticateInput,
  type TotpConfirmInput,
} from './input.ts';
import { listPasskeys, passkeyRegistrationOptions, registerPasskey, removePasskey, renamePasskey } from './passkeys.ts';
import { reauthenticate } from './recent-auth.ts';
import { regenerateRecoveryCodes } from './recovery-codes.ts';
import { mfaStatus } from './service.ts';
import { confirmTotp, removeTotp, startTotp } from './totp.ts';
import type { RegistrationResponseJSON } from './webauthn.ts';

const RECENT = 'Needs a sign-in within the last 10 minutes (403 reauthentication_required otherwise: see POST /api/v1/sessions/current/reauthentication). Mails the member a notice.';

/** Second factors through the JSON API: an authenticator app, passkeys, recovery codes. */
export function mfaRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const security = [{ bearer: [] }];
  const tags = ['mfa'];
  const params = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.get('/api/v1/me/mfa', { schema: { summary: 'Which second factors the member has', tags, security, response: { 200: MfaStatusReply } } }, async (request) =>
    mfaStatus(deps.flows.store, (await requireApiSession(request, deps)).member.id),
  );

  app.post(
    '/api/v1/sessions/current/reauthentication',
    { schema: { summary: 'Confirm the password again: the session counts as recently signed in for 10 minutes', tags: ['sessions'], security, body: ReauthenticateBody } },
    async (request, reply) => {
      await reauthenticate(deps.flows, await requireApiSession(request, deps), (request.body as ReauthenticateInput).password);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/me/mfa/totp',
    { schema: { summary: 'Start setting up an authenticator app (TOTP): a new secret and its QR code', description: 'Needs a sign-in within the last 10 minutes. Confirm with POST /api/v1/me/mfa/totp/confirm.', tags, security, response: { 201: TotpEnrolmentReply } } },
    async (request, reply) => reply.code(201).send(await startTotp(deps.flows, await requireApiSession(request, deps))),
  );

  app.post(
    '/api/v1/me/mfa/totp/confirm',
    { schema: { summary: 'Turn the authenticator app on with a first code', description: `${RECENT} The first second factor brings ten recovery codes, returned this once.`, tags, security, body: TotpConfirmBody, response: { 200: TotpConfirmReply } } },
    async (request) => {
      const { recoveryCodes } = await confirmTotp(deps.flows, await requireApiSession(request, deps), (request.body as TotpConfirmInput).code);
      return recoveryCodes ? { recoveryCodes } : {};
    },
  );

  app.delete('/api/v1/me/mfa/totp', { schema: { summary: 'Remove the authenticator app', description: RECENT, tags, security } }, async (request, reply) => {
    await removeTotp(deps.flows, await requireApiSession(request, deps));
    return reply.code(204).send();
  });

  app.post(
    '/api/v1/me/mfa/recovery-codes',
    { schema: { summary: 'Make ten new recovery codes; the old ones stop working', description: RECENT, tags, security, response: { 201: RecoveryCodesReply } } },
    async (request, reply) => reply.code(201).send({ recoveryCodes: await regenerateRecoveryCodes(deps.flows, await requireApiSession(request, deps)) }),
  );

  app.post(
    '/api/v1/me/mfa/passkeys/options',
    { schema: { summary: 'Start registering a passkey: options for navigator.credentials.create()', description: 'Needs a sign-in within the last 10 minutes.', tags, security, response: { 201: PasskeyOptionsReply } } },
    async (request, reply) => {
      const started = await passkeyRegistrationOptions(deps.flows, await requireApiSession(request, deps));
      return reply.code(201).send({ ...started, expiresAt: new Date(started.expiresAt).toISOString() });
    },
  );

  app.post(
    '/api/v1/me/mfa/passkeys',
    { schema: { summary: 'Finish registering a passkey', description: `${RECENT} The first second factor brings ten recovery codes, returned this once.`, tags, security, body: PasskeyRegisterBody, response: { 201: PasskeyRegisterReply } } },
    async (request, reply) => {
      const body = request.body as PasskeyRegisterInput;
      const registered = await registerPasskey(deps.flows, await requireApiSession(request, deps), { challengeId: body.challengeId, name: body.name, response: body.response as unknown as RegistrationResponseJSON });
      return reply.code(201).send(registered.recoveryCodes ? registered : { passkey: registered.passkey });
    },
  );

  app.get('/api/v1/me/mfa/passkeys', { schema: { summary: "The member's passkeys", tags, security, response: { 200: Type.Array(PasskeyView) } } }, async (request) =>
    listPasskeys(deps.flows, await requireApiSession(request, deps)),
  );

  app.patch(
    '/api/v1/me/mfa/passkeys/:id',
    { schema: { summary: 'Rename a passkey', tags, security, params: PasskeyParams, body: PasskeyRenameBody, response: { 200: PasskeyView } } },
    async (request) => renamePasskey(deps.flows, await requireApiSession(request, deps), params(request), (request.body as { name: string }).name),
  );

  app.delete('/api/v1/me/mfa/passkeys/:id', { schema: { summary: 'Remove a passkey', description: RECENT, tags, security, params: PasskeyParams } }, async (request, reply) => {
    await removePasskey(deps.flows, await requireApiSession(request, deps), params(request));
    return reply.code(204).send();
  });
}
