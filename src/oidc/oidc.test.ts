import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AdapterPayload } from 'oidc-provider';
import { buildTestApp, type TestApp } from '../../test/helpers/test-app.ts';
import { createFieldCipher } from '../crypto/field-cipher.ts';
import { hashToken } from '../crypto/random.ts';
import type { Member } from '../domain/member.ts';
import { createOidcAdapterFactory } from './adapter.ts';
import { deleteExpiredOidcRows, EXPIRED_GRACE_MS } from './cleanup.ts';
import { ClientInputError, createClientRegistry, secretMatches } from './clients.ts';
import { widenFormAction } from './csp.ts';
import { claimsFor } from './find-account.ts';
import { ACTIVATE_AFTER_MS, createSigningKeys } from './keys.ts';
import { createSubjects } from './subjects.ts';

/** The OIDC storage pieces on a real store (PLAYERPASS_TEST_STORE picks SQLite or PostgreSQL). */

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t?.close();
});

const db = () => t.services.database.db;
const cipher = () => createFieldCipher(t.services.keyring);
const adapterFor = (model: string, now = Date.now) => createOidcAdapterFactory(db(), createClientRegistry(db()), cipher(), now)(model);

test('adapter: values a client holds are stored only as hashes and come back from the lookup', async () => {
  const tokens = adapterFor('RefreshToken');
  const id = 'refresh-token-value-0123456789';
  await tokens.upsert(id, { jti: id, kind: 'RefreshToken', grantId: 'grant-1', accountId: 'sub-1', exp: 9e9 } as AdapterPayload, 60);
  const row = await db().selectFrom('oidc_payloads').selectAll().where('kind', '=', 'RefreshToken').executeTakeFirstOrThrow();
  assert.equal(row.id, hashToken(id));
  assert.ok(!row.payload.includes(id), 'the token value is not in the payload');
  assert.equal(row.grant_id, 'grant-1');
  assert.deepEqual(await tokens.find(id), { kind: 'RefreshToken', grantId: 'grant-1', accountId: 'sub-1', exp: 9e9, jti: id });
  assert.equal(await tokens.find('another'), undefined);

  await tokens.consume(id);
  assert.equal(typeof (await tokens.find(id))!.consumed, 'number');

  const codes = adapterFor('AuthorizationCode');
  await codes.upsert('code-1', { grantId: 'grant-1' } as AdapterPayload, 60);
  await tokens.upsert('refresh-2', { grantId: 'grant-2' } as AdapterPayload, 60);
  await tokens.revokeByGrantId('grant-1');
  assert.equal(await tokens.find(id), undefined, 'the grant family is gone');
  assert.ok(await tokens.find('refresh-2'), 'other grants stay');
  assert.ok(await codes.find('code-1'), 'revokeByGrantId is per model');
  await codes.destroy('code-1');
  assert.equal(await codes.find('code-1'), undefined);
});

test('adapter: device codes by user code (id restored), kept indexed when saved again; sessions by uid without their cookie', async () => {
  const devices = adapterFor('DeviceCode');
  await devices.upsert('device-code-1', { userCode: 'BCDFGHJK', clientId: 'tv' } as AdapterPayload, 600);
  const raw = await db().selectFrom('oidc_payloads').select(['payload', 'user_code']).where('kind', '=', 'DeviceCode').executeTakeFirstOrThrow();
  assert.ok(!raw.payload.includes('BCDFGHJK') && !raw.payload.includes('device-code-1'));
  assert.equal(raw.user_code, hashToken('BCDFGHJK'));
  assert.deepEqual(await devices.findByUserCode('BCDFGHJK'), { clientId: 'tv', jti: 'device-code-1', userCode: 'BCDFGHJK' });
  // oidc-provider saves it again after finding it by id (no user code then): still found by user code.
  await devices.upsert('device-code-1', { clientId: 'tv', accountId: 'sub-1' } as AdapterPayload, 500);
  assert.deepEqual(await devices.findByUserCode('BCDFGHJK'), { clientId: 'tv', accountId: 'sub-1', jti: 'device-code-1', userCode: 'BCDFGHJK' });

  const sessions = adapterFor('Session');
  await sessions.upsert('cookie-value', { uid: 'uid-1', accountId: 'sub-1' } as AdapterPayload, 60);
  assert.deepEqual(await sessions.findByUid('uid-1'), { uid: 'uid-1', accountId: 'sub-1' });
  const interactions = adapterFor('Interaction');
  await interactions.upsert('i-1', { session: { uid: 'uid-1', cookie: 'cookie-value', accountId: 'sub-1' } } as AdapterPayload, 60);
  assert.deepEqual((await interactions.find('i-1'))!.session, { uid: 'uid-1', accountId: 'sub-1' }, "the session's cookie value is not kept");
});

test('cleanup deletes rows expired for longer than the grace period only', async () => {
  const now = Date.now();
  const grants = adapterFor('Grant', () => now - EXPIRED_GRACE_MS - 120_000);
  await grants.upsert('old-grant', {} as AdapterPayload, 60);
  const fresh = adapterFor('Grant', () => now - 120_000);
  await fresh.upsert('recent-grant', {} as AdapterPayload, 60);
  await adapterFor('Grant').upsert('forever', {} as AdapterPayload);
  assert.ok((await deleteExpiredOidcRows(db(), now)) >= 1);
  assert.equal(await grants.find('old-grant'), undefined);
  assert.ok(await fresh.find('recent-grant'), 'recently expired rows stay a while (expired_token, replay detection)');
  assert.ok(await grants.find('forever'));
});

test('signing keys: encrypted at rest; a rotated key is published first and signs after ACTIVATE_AFTER_MS', async () => {
  let now = Date.UTC(2030, 0, 1);
  const keys = createSigningKeys(db(), cipher(), () => now);
  const first = await keys.load();
  assert.deepEqual(first.jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  for (const row of await db().selectFrom('oidc_keys').select('jwk_ct').execute()) assert.match(row.jwk_ct, /^v1\.\d+\./);

  now += 1000;
  const added = await keys.rotate();
  const loaded = await keys.load();
  const signing = (alg: string) => loaded.jwks.keys.find((k) => k.alg === alg) as { kid: string };
  assert.equal(loaded.jwks.keys.length, 4, 'old and new keys are both published');
  assert.ok(!added.some((k) => k.kid === signing('ES256').kid), 'the new key does not sign yet');

  now += ACTIVATE_AFTER_MS;
  const later = await keys.load();
  assert.notEqual(later.version, loaded.version);
  assert.equal((later.jwks.keys.find((k) => k.alg === 'ES256') as { kid: string }).kid, added.find((k) => k.alg === 'ES256')!.kid);

  now += 1000;
  await keys.rotate();
  assert.equal((await keys.load()).jwks.keys.length, 4, 'the key before the previous one is retired');
  assert.equal((await keys.list()).filter((k) => k.retiredAt !== null).length, 2);
});

test('client registry: validation, secrets hashed, metadata for oidc-provider', async () => {
  const registry = createClientRegistry(db());
  await assert.rejects(registry.add({ name: 'x', type: 'public', grantTypes: ['client_credentials'] }), ClientInputError);
  await assert.rejects(registry.add({ name: 'x', type: 'public' }), /redirect-uri/);
  await assert.rejects(registry.add({ name: 'x', type: 'public', redirectUris: ['javascript:alert(1)'] }), ClientInputError);
  await assert.rejects(registry.add({ name: 'x', type: 'public', redirectUris: ['https://a.example/cb'], scopes: ['openid', 'admin' as never] }), /unknown scope/);
  await assert.rejects(registry.add({ name: 'x', type: 'public', redirectUris: ['https://a.example/cb'], scopes: [] }), /at least one scope/);

  const { client, secret } = await registry.add({ name: 'Arena Server', type: 'confidential', grantTypes: ['client_credentials'] });
  assert.ok(secret);
  assert.deepEqual(client.scopes, ['openid']);
  const metadata = (await registry.providerMetadata(client.clientId))!;
  assert.equal(metadata.token_endpoint_auth_method, 'client_secret_basic');
  assert.deepEqual(metadata.response_types, []);
  assert.ok(secretMatches(metadata.client_secret, secret));
  assert.ok(!secretMatches(metadata.client_secret, `${secret}x`));
  assert.ok(!secretMatches(secret, secret), 'a stored value that is not a hash never matches');
  assert.ok(await registry.remove(client.clientId));
  assert.equal(await registry.providerMetadata(client.clientId), undefined);
  assert.equal(await registry.remove(client.clientId), false);
});

test('subjects: random, stable per member, and mapped back', async () => {
  const joined = await t.api('POST', '/api/v1/members', { body: { displayName: 'Sub Ject', email: 'sub.ject@example.com', birthDate: '1999-09-09', password: 'subject passphrase 1' } });
  assert.equal(joined.statusCode, 202);
  const member = (await t.services.flows.store.members.findByEmail('sub.ject@example.com'))!;
  const subjects = createSubjects(db());
  const sub = await subjects.forMember(member.id);
  assert.notEqual(sub, member.id);
  assert.equal(await subjects.forMember(member.id), sub);
  assert.equal(await subjects.memberOf(sub), member.id);
  assert.equal(await subjects.memberOf('nobody'), undefined);
});

test('claims are released per granted scope only', () => {
  const member = { displayName: 'Ann', email: 'ann@example.com', emailVerified: true, birthDate: '2000-01-02' } as Member;
  assert.deepEqual(claimsFor('s', member, 'openid'), { sub: 's' });
  assert.deepEqual(claimsFor('s', member, 'openid profile'), { sub: 's', name: 'Ann', preferred_username: 'Ann' });
  assert.deepEqual(claimsFor('s', member, 'openid email birthdate'), { sub: 's', email: 'ann@example.com', email_verified: true, birthdate: '2000-01-02' });
});

test("form-action widens to a client's origin only", () => {
  const csp = "default-src 'none'; form-action 'self'; base-uri 'none'";
  assert.equal(widenFormAction(csp, ['https://game.example:8443/cb?x=1']), "default-src 'none'; form-action 'self' https://game.example:8443; base-uri 'none'");
  assert.equal(widenFormAction(csp, [undefined, 'com.example.game:/cb', "https://x.example/'; script-src *"]), "default-src 'none'; form-action 'self' https://x.example; base-uri 'none'");
});
