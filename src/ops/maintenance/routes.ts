import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { safeEqual } from '../../crypto/random.ts';
import { PassError } from '../../domain/errors.ts';
import type { HttpDeps } from '../../http/context.ts';
import { html } from '../../http/layout/html.ts';
import { pageCsrf, sendPage } from '../../http/pages.ts';
import { pageSession } from '../../http/plugins/session.ts';
import { type CapabilityName, type CapabilityState, type CapabilityStatus } from './capabilities.ts';
import { changeCapability } from './change.ts';
import { CAPABILITY_MESSAGE_MAX } from './switches.ts';

// Spelled out rather than mapped from the lists, so the schema's type keeps the literals.
const StateSchema = Type.Union([Type.Literal('on'), Type.Literal('off'), Type.Literal('read_only')]);
const NameSchema = Type.Union([Type.Literal('join'), Type.Literal('profile_changes'), Type.Literal('password_reset'), Type.Literal('sign_in'), Type.Literal('oidc')]);

const StatusReply = Type.Object({
  capabilities: Type.Object({ join: StateSchema, profile_changes: StateSchema, password_reset: StateSchema, sign_in: StateSchema, oidc: StateSchema }),
  message: Type.Optional(Type.String({ description: 'The public messages of every capability that is not on, together' })),
  messages: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Each capability that is not on and has a message: its message' })),
});

// Fails to compile when a capability or state is added to the lists but not to these schemas.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchLists: [Same<Static<typeof NameSchema>, CapabilityName>, Same<Static<typeof StateSchema>, CapabilityState>] = [true, true];
void schemasMatchLists;

const AdminCapability = Type.Object({
  name: NameSchema,
  state: StateSchema,
  message: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
const AdminList = Type.Array(AdminCapability);
const AdminParams = Type.Object({ name: NameSchema });
const AdminBody = Type.Object(
  {
    state: StateSchema,
    message: Type.Optional(Type.String({ maxLength: CAPABILITY_MESSAGE_MAX, description: 'Public text shown on pages and in `capability_offline` errors' })),
  },
  { additionalProperties: false },
);

const labels: Record<CapabilityName, string> = {
  join: 'Joining',
  profile_changes: 'Changing account details',
  password_reset: 'Password reset',
  sign_in: 'Signing in',
  oidc: 'Signing in to games and sites',
};
const stateLabels: Record<CapabilityState, string> = { on: 'On', read_only: 'Read-only', off: 'Off' };

/** The public status (API and page) and the admin API that switches capabilities. */
export function maintenanceRoutes(app: FastifyInstance, deps: HttpDeps, options: { adminToken: string | undefined }): void {
  const capabilities = deps.flows.capabilities;

  app.get(
    '/api/v1/status',
    { schema: { summary: 'Which capabilities are on, read-only or off, with the operators\' message', tags: ['status'], response: { 200: StatusReply } } },
    async () => statusReply(capabilities.snapshot()),
  );

  app.get('/status', { schema: { hide: true } }, async (request, reply) => {
    const csrf = pageCsrf(request, reply, deps);
    const statuses = capabilities.snapshot();
    const allOn = statuses.every((s) => s.state === 'on');
    const body = html`<p>${allOn ? 'Everything is working.' : 'Some parts of playerpass are switched off for maintenance.'}</p>
      <dl class="status">
        ${statuses.map(
          (s) => html`<dt>${labels[s.name]}</dt><dd><strong class="status-${s.state}">${stateLabels[s.state]}</strong>${s.message ? html`<br>${s.message}` : ''}</dd>`,
        )}
      </dl>`;
    return sendPage(reply, { title: 'Service status', body, auth: await pageSession(request, deps), csrf });
  });

  const adminSecurity = [{ admin: [] }];
  // On request, before the body and parameters are validated: without the token nothing about the API shows.
  const admin = { onRequest: async (request: FastifyRequest) => requireAdmin(request, options.adminToken) };
  app.get(
    '/api/v1/admin/capabilities',
    { ...admin, schema: { summary: 'Admin: every capability switch', tags: ['admin'], security: adminSecurity, response: { 200: AdminList } } },
    async () => capabilities.snapshot().map(adminView),
  );

  app.put(
    '/api/v1/admin/capabilities/:name',
    {
      ...admin,
      schema: {
        summary: 'Admin: switch a capability on, off or read-only; every node follows within a second',
        tags: ['admin'],
        security: adminSecurity,
        params: AdminParams,
        body: AdminBody,
        response: { 200: AdminCapability },
      },
    },
    async (request) => {
      const { name } = request.params as Static<typeof AdminParams>;
      const { state, message } = request.body as Static<typeof AdminBody>;
      await changeCapability(deps.flows, { name, state, message, actor: 'admin_api' });
      return adminView(capabilities.snapshot().find((s) => s.name === name)!);
    },
  );
}

/** Off (404) unless a token is configured; then exactly that bearer token, compared in constant time. */
function requireAdmin(request: FastifyRequest, adminToken: string | undefined): void {
  if (!adminToken) throw new PassError('not_found');
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header.trim()) : null;
  if (!match?.[1] || !safeEqual(match[1], adminToken)) throw new PassError('unauthenticated');
}

function statusReply(statuses: CapabilityStatus[]): Static<typeof StatusReply> {
  const capabilities = Object.fromEntries(statuses.map((s) => [s.name, s.state])) as Record<CapabilityName, CapabilityState>;
  const messages: Record<string, string> = {};
  for (const s of statuses) if (s.message) messages[s.name] = s.message;
  const distinct = [...new Set(Object.values(messages))];
  return { capabilities, ...(distinct.length > 0 ? { message: distinct.join('\n'), messages } : {}) };
}

function adminView(s: CapabilityStatus): Static<typeof AdminCapability> {
  return {
    name: s.name,
    state: s.state,
    message: s.message ?? null,
    updatedAt: s.updatedAt === undefined ? null : new Date(s.updatedAt).toISOString(),
    updatedBy: s.updatedBy ?? null,
  };
}
