import type { JsonWebKey } from 'node:crypto';
import Provider, { type AdapterFactory, type Configuration, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import { ipPrefix } from '../domain/ip-prefix.ts';
import { secretMatches } from './clients.ts';
import { widenFormAction } from './csp.ts';
import { interactionPolicyFor, type PolicyHooks } from './policy.ts';
import { renderers } from './renderers.ts';
import { OIDC_SCOPES, SCOPE_CLAIMS } from './scopes.ts';

export interface ProviderOptions {
  /** `${PLAYERPASS_PUBLIC_URL}/oidc` */
  issuer: string;
  adapter: AdapterFactory;
  findAccount: FindAccount;
  jwks: { keys: JsonWebKey[] };
  /** Keys for oidc-provider's signed cookies, newest first (derived from the keyring's cookie keys). */
  cookieKeys: string[];
  secureCookies: boolean;
  policy: PolicyHooks;
  /** Where the device flow's code entry page is (`/link`). */
  linkUrl: string;
  /** Called after a confirmed RP-initiated logout, to end the playerpass session too. */
  onSignOut(ctx: KoaContextWithOIDC): Promise<void>;
  onServerError(error: unknown): void;
}

export const OIDC_SESSION_COOKIE = 'pp_oidc_session';

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;
/** oidc-provider's own session; whether it still counts is decided by the playerpass session (policy.ts). */
const SESSION_TTL = 30 * DAY;

/**
 * panva's oidc-provider, configured: authorization code with PKCE (required for public clients, S256
 * only), refresh tokens rotated on every use (a replayed one revokes the whole grant), the device
 * grant, client credentials, RP-initiated logout, userinfo, introspection and revocation. Nothing
 * lives in process memory: the adapter is the database, keys and clients come from it.
 */
export function createProvider(options: ProviderOptions): Provider {
  const configuration: Configuration = {
    adapter: options.adapter,
    findAccount: options.findAccount,
    jwks: options.jwks as Configuration['jwks'],
    claims: { acr: null, sid: null, auth_time: null, iss: null, ...SCOPE_CLAIMS } as unknown as Configuration['claims'],
    scopes: [...OIDC_SCOPES],
    responseTypes: ['code'],
    subjectTypes: ['public'],
    // ID tokens carry the granted claims too, so a game needs no extra userinfo round trip.
    conformIdTokenClaims: false,
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // Secrets are stored hashed, so nothing may use them as keys (no client_secret_jwt, no HS*).
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'RS256'],
      authorizationSigningAlgValues: ['ES256', 'RS256'],
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      requestObjectSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    },
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'none' },
    cookies: {
      names: { session: OIDC_SESSION_COOKIE, interaction: 'pp_oidc_interaction', resume: 'pp_oidc_resume' },
      long: { httpOnly: true, sameSite: 'lax', secure: options.secureCookies },
      short: { httpOnly: true, sameSite: 'lax', secure: options.secureCookies },
      keys: options.cookieKeys,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async (ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId },
      // A client revokes only its own tokens (RFC 7009 §2.1); anything else is answered 200 and left alone.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource: renderers.logoutSource, postLogoutSuccessSource: renderers.postLogoutSuccessSource },
      deviceFlow: {
        enabled: true,
        // RFC 8628 §6.1: 20 consonants (no vowels, so no words), 8 characters as XXXX-XXXX.
        charset: 'base-20',
        mask: '****-****',
        deviceInfo: (ctx) => ({ ipPrefix: ipPrefix(ctx.ip), ua: String(ctx.get('user-agent')).slice(0, 200) }),
        userCodeInputSource: renderers.userCodeInputSource,
        userCodeConfirmSource: renderers.userCodeConfirmSource as never,
        successSource: renderers.successSource,
      },
    },
    interactions: { policy: interactionPolicyFor(options.policy), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Tokens from a browser sign-in live as long as its session (up to SESSION_TTL, or until an
    // RP-initiated logout), unless the member granted offline_access. A console linked with the
    // device flow is not tied to the phone's browser session: its tokens outlive it.
    expiresWithSession: async (_ctx, source) => source.kind !== 'DeviceCode' && !source.scopes.has('offline_access'),
    ttl: {
      AccessToken: 15 * MINUTE,
      AuthorizationCode: MINUTE,
      ClientCredentials: 10 * MINUTE,
      DeviceCode: 10 * MINUTE,
      IdToken: 60 * MINUTE,
      RefreshToken: 30 * DAY,
      Grant: 180 * DAY,
      Interaction: 60 * MINUTE,
      Session: SESSION_TTL,
      BackchannelAuthenticationRequest: 10 * MINUTE,
      PreAuthorizedCode: 10 * MINUTE,
    },
    renderError: renderers.renderError,
    clientBasedCORS: (ctx, origin, client) =>
      origin !== 'null' && (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    // Clients come only from the registry: nothing is ever fetched from a URL a client names.
    fetch: async () => {
      throw new Error('playerpass makes no outbound OpenID requests');
    },
  };

  const provider = new Provider(options.issuer, configuration);
  // The mount sets X-Forwarded-* from the public URL and Fastify's view of the client address.
  provider.proxy = true;
  // The registry stores only a hash of each secret; compare hashes (in constant time).
  provider.Client.prototype.compareClientSecret = function compare(this: { clientSecret?: string }, actual: string) {
    return secretMatches(this.clientSecret, actual);
  } as never;
  provider.use(async (koa, next) => {
    await next();
    const ctx = koa as KoaContextWithOIDC;
    const route = ctx.oidc?.route;
    if (route === 'device_authorization' && ctx.status === 200) pointDevicesAtLink(ctx, options.linkUrl);
    if (route === 'end_session' || route === 'authorization' || route === 'resume') allowClientFormTarget(ctx);
    if (route === 'end_session_confirm' && ctx.status === 303 && ctx.oidc.params?.logout) await options.onSignOut(ctx);
  });
  provider.on('server_error', (_ctx, error) => options.onServerError(error));
  // Koa's own 'error' (what escapes oidc-provider's handlers) goes to the log, not to stderr.
  (provider as unknown as NodeJS.EventEmitter).on('error', (error: unknown) => options.onServerError(error));
  return provider;
}

/**
 * The logout confirmation (and a form_post response) is a form whose post ends in a redirect to
 * the client: its registered URI joins the page's form-action (see csp.ts).
 */
function allowClientFormTarget(ctx: KoaContextWithOIDC): void {
  const { client, params } = ctx.oidc;
  const csp = ctx.response.get('content-security-policy');
  if (!client || !params || typeof csp !== 'string') return;
  const logoutUri = params.post_logout_redirect_uri;
  const redirectUri = params.redirect_uri;
  const allowed = [
    typeof logoutUri === 'string' && client.postLogoutRedirectUriAllowed(logoutUri) ? logoutUri : undefined,
    typeof redirectUri === 'string' && client.redirectUriAllowed(redirectUri) ? redirectUri : undefined,
  ];
  ctx.set('content-security-policy', widenFormAction(csp, allowed));
}

/** Devices show /link (short, typeable) rather than oidc-provider's own /oidc/device. */
function pointDevicesAtLink(ctx: KoaContextWithOIDC, linkUrl: string): void {
  const body = ctx.body as { user_code?: string; verification_uri?: string; verification_uri_complete?: string } | undefined;
  if (!body?.user_code) return;
  body.verification_uri = linkUrl;
  body.verification_uri_complete = `${linkUrl}?user_code=${encodeURIComponent(body.user_code)}`;
}
