import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../http/context.ts';
import { requireApiSession } from '../../http/plugins/session.ts';
import { accountFormRoute } from '../details/account-form-route.ts';
import { ChangePasswordBody, type ChangePasswordInput } from './input.ts';
import { changePassword } from './service.ts';

export function changePasswordRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/api/v1/me/password',
    {
      schema: {
        summary: 'Change the password; every other session of the member is revoked',
        tags: ['me'],
        security: [{ bearer: [] }],
        body: ChangePasswordBody,
      },
    },
    async (request, reply) => {
      const auth = await requireApiSession(request, deps);
      await changePassword(deps.flows, auth.member, auth.session.id, request.body as ChangePasswordInput);
      return reply.code(204).send();
    },
  );

  accountFormRoute(app, deps, {
    path: '/account/password',
    form: 'password',
    fields: ['currentPassword', 'newPassword'],
    run: (auth, values) => changePassword(deps.flows, auth.member, auth.session.id, values as ChangePasswordInput),
  });
}
