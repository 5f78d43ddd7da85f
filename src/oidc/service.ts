import type { Kysely } from 'kysely';
import { createHmac } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { PassError } from '../domain/errors.ts';
import type { FlowDeps } from '../flows/deps.ts';
import { authenticate } from '../flows/sessions/authenticate.ts';
import { signOut } from '../flows/sessions/service.ts';
import { cookiePolicy } from '../http/context.ts';
import type { Tables } from '../store/tables.ts';
import { createOidcAdapterFactory } from './adapter.ts';
import { startOidcCleanup } from './cleanup.ts';
import { createClientRegistry, type ClientRegistry } from './clients.ts';
import { createFindAccount } from './find-account.ts';
import { createSigningKeys, type SigningKeys } from './keys.ts';
import { createProvider } from './provider.ts';
import { createSubjects, type Subjects } from './subjects.ts';

export interface OidcService {
  issuer: string;
  /** The provider to hand a request to: rebuilt when the signing keys change, so always take it per request. */
  provider(): Provider;
  clients: ClientRegistry;
  subjects: Subjects;
  keys: SigningKeys;
  close(): Promise<void>;
}

export interface OidcDeps {
  db: Kysely<Tables>;
  cipher: FieldCipher;
  keyring: Keyring;
  flows: FlowDeps;
  publicUrl: string;
  logger: { error(object: object, message: string): void; info(object: object, message: string): void };
  /** How often each node looks for rotated keys and deletes expired rows. */
  refreshMs?: number;
}

/** Everything OpenID Connect needs, made once at start-up by the composition root. */
export async function createOidcService(deps: OidcDeps): Promise<OidcService> {
  const issuer = `${deps.publicUrl}/oidc`;
  const clients = createClientRegistry(deps.db);
  const subjects = createSubjects(deps.db);
  const keys = createSigningKeys(deps.db, deps.cipher);
  const cookies = cookiePolicy(deps.publicUrl, deps.keyring.current('cookie').secret);
  const adapter = createOidcAdapterFactory(deps.db, clients, deps.cipher);
  const findAccount = createFindAccount(subjects, deps.flows.store.members);
  // oidc-provider signs its cookies with keys of its own, derived from every cookie key (newest first).
  const cookieKeys = [...deps.keyring.all('cookie')].reverse().map((key) => createHmac('sha256', key.secret).update('oidc-provider cookies').digest('base64url'));

  const playerpassSession = async (ctx: KoaContextWithOIDC) => {
    const token = ctx.cookies.get(cookies.sessionName, { signed: false });
    return token ? authenticate(deps.flows, token) : undefined;
  };

  const build = async () => {
    const { jwks, version } = await keys.load();
    const provider = createProvider({
      issuer,
      adapter,
      findAccount,
      jwks,
      cookieKeys,
      secureCookies: cookies.secure,
      linkUrl: `${deps.publicUrl}/link`,
      policy: {
        paused: () => pausedMessage(deps.flows),
        currentSubject: async (ctx) => {
          const auth = await playerpassSession(ctx);
          return auth ? subjects.forMember(auth.member.id) : undefined;
        },
      },
      async onSignOut(ctx) {
        const auth = await playerpassSession(ctx);
        if (auth) await signOut(deps.flows, auth);
        ctx.append('Set-Cookie', `${cookies.sessionName}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax${cookies.secure ? '; Secure' : ''}`);
      },
      onServerError: (error) => deps.logger.error({ err: error }, 'oidc-provider server error'),
    });
    return { provider, version };
  };

  let current = await build();
  const refreshMs = deps.refreshMs ?? 5 * 60_000;
  const timer = setInterval(() => {
    keys
      .load()
      .then(async ({ version }) => {
        if (version === current.version) return;
        current = await build();
        deps.logger.info({ keys: version }, 'reloaded the OpenID signing keys');
      })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'could not reload the OpenID signing keys'));
  }, refreshMs);
  timer.unref();
  const cleanup = startOidcCleanup(deps.db, { everyMs: refreshMs, now: Date.now, onError: (error) => deps.logger.error({ err: error }, 'could not delete expired OpenID rows') });

  return {
    issuer,
    provider: () => current.provider,
    clients,
    subjects,
    keys,
    async close() {
      clearInterval(timer);
      await cleanup.stop();
    },
  };
}

/** The operator's message while the `oidc` capability refuses new authorizations. */
export function pausedMessage(flows: Pick<FlowDeps, 'capabilities'>): string | undefined {
  try {
    flows.capabilities.require('oidc', 'write');
    return undefined;
  } catch (error) {
    if (error instanceof PassError) return error.message;
    throw error;
  }
}
