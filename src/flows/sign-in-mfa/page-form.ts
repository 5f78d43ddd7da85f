import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { scripts } from '../../http/assets.ts';
import { formJson } from '../../http/form-json.ts';
import { formFields, formProblem, pageCsrf, sendPage } from '../../http/pages.ts';
import { isRecoveryCodeShape } from '../../domain/recovery-code.ts';
import { toPassError } from '../../http/plugins/error-handler.ts';
import type { MfaChallenge } from './challenge.ts';
import { resumeSignInChallenge } from './challenge.ts';
import type { MfaSignInInput } from './input.ts';
import { mfaStep } from './views/mfa-step.ts';

/** The second-step page, with the passkey script. */
export function sendMfaStep(request: FastifyRequest, reply: FastifyReply, deps: HttpDeps, action: string, challenge: MfaChallenge, problem?: { message?: string | undefined; codeError?: string | undefined; status: number }): FastifyReply {
  const csrf = pageCsrf(request, reply, deps);
  const body = mfaStep({ action, csrf, challengeId: challenge.challengeId, methods: challenge.methods, passkeyOptions: challenge.passkeyOptions, error: problem?.message, codeError: problem?.codeError });
  return sendPage(reply, { title: 'Second step', body, csrf, status: problem?.status ?? 200, scripts: [scripts.webauthn, scripts.passkeys] });
}

/** The posted second-step form as the flow's input: one field takes an app code or a recovery code. */
export function mfaFormInput(request: FastifyRequest): MfaSignInInput {
  const values = formFields(request, ['challengeId', 'code', 'passkey']);
  const code = (values.code ?? '').trim();
  if (values.passkey) return { challengeId: values.challengeId ?? '', passkey: formJson(request, 'passkey') };
  return isRecoveryCodeShape(code) ? { challengeId: values.challengeId ?? '', recoveryCode: code } : { challengeId: values.challengeId ?? '', code };
}

/**
 * After a failed second step: the same step again with the error while it is open, or undefined
 * when it is over (expired, used up) and the member must start again.
 */
export async function mfaStepAgain(request: FastifyRequest, reply: FastifyReply, deps: HttpDeps, action: string, challengeId: string, error: unknown): Promise<FastifyReply | undefined> {
  const failure = toPassError(error);
  if (failure.code === 'mfa_challenge_invalid') return undefined;
  const problem = formProblem(error);
  const challenge = await resumeSignInChallenge(deps.flows, challengeId).catch(() => undefined);
  if (!challenge) return undefined;
  const codeError = failure.code === 'second_factor_invalid' || failure.code === 'validation_failed' ? 'That code did not work. Check it and try again.' : undefined;
  return sendMfaStep(request, reply, deps, action, challenge, { message: problem.message, codeError, status: problem.status });
}
