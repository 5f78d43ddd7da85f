import type { FastifyInstance } from 'fastify';
import { capabilityRefusal, sendCapabilityNotice } from '../../http/capability-notice.ts';
import type { HttpDeps } from '../../http/context.ts';
import { checkFormCsrf, formFields, formProblem, pageCsrf, sendPage } from '../../http/pages.ts';
import { pageSession } from '../../http/plugins/session.ts';
import { requestContext } from '../../http/request-context.ts';
import { AcceptedReply, JoinBody, type JoinInput } from './input.ts';
import { join } from './service.ts';
import { joinDone, joinForm } from './views/join-page.ts';

const FIELDS = ['displayName', 'email', 'birthDate', 'password'] as const;

export function joinRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/members',
    {
      schema: {
        summary: 'Join: create a member and mail a verification link',
        description: 'Answers 202 whether or not the email is taken; the owner of a taken email gets a mail instead.',
        tags: ['members'],
        body: JoinBody,
        response: { 202: AcceptedReply },
      },
    },
    async (request, reply) => {
      await join(deps.flows, request.body as JoinInput, requestContext(request, deps));
      return reply.code(202).send({ status: 'verification_sent' });
    },
  );

  app.get('/join', { schema: { hide: true } }, async (request, reply) => {
    const csrf = pageCsrf(request, reply, deps);
    const auth = await pageSession(request, deps);
    const refusal = capabilityRefusal(deps, 'join');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Join playerpass', refusal, csrf, auth });
    return sendPage(reply, { title: 'Join playerpass', body: joinForm(csrf), auth, csrf });
  });

  app.post('/join', { schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps);
    const csrf = pageCsrf(request, reply, deps);
    const refusal = capabilityRefusal(deps, 'join');
    if (refusal) return sendCapabilityNotice(reply, { title: 'Join playerpass', refusal, csrf });
    const values = formFields(request, FIELDS);
    try {
      await join(deps.flows, values as JoinInput, requestContext(request, deps));
    } catch (error) {
      const problem = formProblem(error);
      return sendPage(reply, { title: 'Join playerpass', body: joinForm(csrf, values, problem.fields, problem.message), csrf, status: problem.status });
    }
    return sendPage(reply, { title: 'Check your email', body: joinDone(), csrf, notice: { kind: 'success', text: 'Almost there!' } });
  });
}
