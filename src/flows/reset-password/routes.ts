import type { FastifyInstance } from 'fastify';
import { capabilityRefusal, sendCapabilityNotice } from '../../http/capability-notice.ts';
import type { HttpDeps } from '../../http/context.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, queryToken, sendPage } from '../../http/pages.ts';
import { requestContext } from '../../http/request-context.ts';
import { AcceptedReply } from '../join/input.ts';
import { ResetCompleteBody, ResetRequestBody, type ResetCompleteInput, type ResetRequestInput } from './input.ts';
import { completePasswordReset, requestPasswordReset } from './service.ts';
import { forgotDone, forgotForm, resetDone, resetForm } from './views/reset-pages.ts';

export function resetPasswordRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/password-resets',
    { schema: { summary: 'Ask for a password reset link (always the same answer)', tags: ['password'], body: ResetRequestBody, response: { 202: AcceptedReply } } },
    async (request, reply) => {
      await requestPasswordReset(deps.flows, request.body as ResetRequestInput, requestContext(request, deps));
      return reply.code(202).send({ status: 'reset_requested' });
    },
  );

  app.post(
    '/api/v1/password-resets/complete',
    { schema: { summary: 'Set a new password with the token from the mailed link; every session is revoked', tags: ['password'], body: ResetCompleteBody } },
    async (request, reply) => {
      await completePasswordReset(deps.flows, request.body as ResetCompleteInput, requestContext(request, deps));
      return reply.code(204).send();
    },
  );

  app.get('/forgot', { schema: { hide: true } }, async (request, reply) => {
    const csrf = pageCsrf(request, reply, deps);
    const refusal = capabilityRefusal(deps, 'password_reset');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Forgot your password?', refusal, csrf });
    return sendPage(reply, { title: 'Forgot your password?', body: forgotForm(csrf), csrf });
  });

  app.post('/forgot', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const csrf = pageCsrf(request, reply, deps);
    const refusal = capabilityRefusal(deps, 'password_reset');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Forgot your password?', refusal, csrf });
    const values = formFields(request, ['email']);
    try {
      await requestPasswordReset(deps.flows, values as ResetRequestInput, requestContext(request, deps));
    } catch (error) {
      const problem = formProblem(error);
      return sendPage(reply, { title: 'Forgot your password?', body: forgotForm(csrf, values, problem.fields, problem.message), csrf, status: problem.status });
    }
    return sendPage(reply, { title: 'Check your email', body: forgotDone(), csrf });
  });

  app.get('/reset', { schema: { hide: true } }, async (request, reply) => {
    const csrf = pageCsrf(request, reply, deps);
    const refusal = capabilityRefusal(deps, 'password_reset');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Choose a new password', refusal, csrf });
    return sendPage(reply, { title: 'Choose a new password', body: resetForm(csrf, queryToken(request)), csrf });
  });

  app.post('/reset', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const csrf = pageCsrf(request, reply, deps);
    const refusal = capabilityRefusal(deps, 'password_reset');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Choose a new password', refusal, csrf });
    const values = formFields(request, ['token', 'newPassword']);
    try {
      await completePasswordReset(deps.flows, values as ResetCompleteInput, requestContext(request, deps));
    } catch (error) {
      const problem = formProblem(error);
      return sendPage(reply, { title: 'Choose a new password', body: resetForm(csrf, values.token ?? '', problem.fields, problem.message), csrf, status: problem.status });
    }
    return sendPage(reply, { title: 'Password changed', body: resetDone(), csrf, notice: { kind: 'success', text: 'Your password is changed.' } });
  });
}
