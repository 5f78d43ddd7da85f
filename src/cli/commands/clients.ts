import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.ts';
import { ClientInputError, createClientRegistry, GRANT_TYPES, type ClientRecord, type GrantType } from '../../oidc/clients.ts';
import { OIDC_SCOPES, type OidcScope } from '../../oidc/scopes.ts';
import { withCheckedDatabase } from '../checked-database.ts';

const usage = `usage: playerpass clients <add|list|remove> [options]
  add --name NAME --type public|confidential [--redirect-uri URI]… [--logout-uri URI]…
      [--grant GRANT[,GRANT…]] [--scopes SCOPE[,SCOPE…]] [--first-party]
                 register an OpenID Connect client; prints its client_id (and a confidential
                 client's secret, once: only its hash is kept)
  list           every registered client
  remove ID      unregister a client (its tokens stop working)

grants: ${GRANT_TYPES.join(', ')} (default authorization_code,refresh_token)
scopes: ${OIDC_SCOPES.join(', ')} (default openid,profile; openid for client_credentials only)
public clients use PKCE and no secret; confidential clients authenticate with client_secret_basic.
--first-party: the publisher's own game or site; members are not asked to consent.`;

const options = {
  name: { type: 'string' },
  type: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'logout-uri': { type: 'string', multiple: true },
  grant: { type: 'string' },
  scopes: { type: 'string' },
  'first-party': { type: 'boolean' },
} as const;

/** `playerpass clients …`: 0 when done, 1 when the client to remove does not exist, 2 on bad usage. */
export async function clients(args: string[], print: (line: string) => void): Promise<number> {
  const [verb = '', ...rest] = args;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    if (!['add', 'list', 'remove'].includes(verb)) throw new ClientInputError(`unknown clients command "${verb}"`);
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
    if (verb === 'add' && (!parsed.values.name || !parsed.values.type)) throw new ClientInputError('add needs --name and --type');
    if (verb === 'remove' && parsed.positionals.length !== 1) throw new ClientInputError('remove needs the client id');
    if (verb !== 'remove' && parsed.positionals.length > 0) throw new ClientInputError(`unexpected argument "${parsed.positionals[0]}"`);
  } catch (error) {
    print(`playerpass clients: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }

  const config = loadConfig();
  try {
    return await withCheckedDatabase(config, async (database, keyring) => {
      const registry = createClientRegistry(database.db);
      if (verb === 'add') {
        const { values } = parsed;
        const { client, secret } = await registry.add({
          name: values.name!,
          type: values.type as 'public' | 'confidential',
          redirectUris: values['redirect-uri'] ?? [],
          postLogoutRedirectUris: values['logout-uri'] ?? [],
          ...(values.grant !== undefined ? { grantTypes: list(values.grant) as GrantType[] } : {}),
          ...(values.scopes !== undefined ? { scopes: list(values.scopes) as OidcScope[] } : {}),
          firstParty: values['first-party'] === true,
        });
        print(describe(client));
        print(`client_id: ${client.clientId}`);
        if (secret) print(`client_secret (shown once, keep it in the client's secret store): ${secret}`);
        print(`issuer: ${config.publicUrl}/oidc (discovery: ${config.publicUrl}/oidc/.well-known/openid-configuration)`);
        return 0;
      }
      if (verb === 'remove') {
        const [clientId] = parsed.positionals;
        if (await registry.remove(clientId!)) {
          print(`client ${clientId} removed`);
          return 0;
        }
        print(`playerpass clients: no client ${clientId}`);
        return 1;
      }
      const all = await registry.list();
      for (const client of all) print(describe(client));
      if (all.length === 0) print('no clients');
      return 0;
    });
  } catch (error) {
    if (!(error instanceof ClientInputError)) throw error;
    print(`playerpass clients: ${error.message}`);
    return 2;
  }
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function describe(client: ClientRecord): string {
  const redirects = client.redirectUris.length > 0 ? `  redirect ${client.redirectUris.join(' ')}` : '';
  return `${client.clientId}  "${client.name}"  ${client.type}${client.firstParty ? ' first-party' : ''}  grants ${client.grantTypes.join(',')}  scopes ${client.scopes.join(',')}${redirects}`;
}
