import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/** The routes of ../shared/API.md that games and operators depend on. */
const contract = [
  ['post', '/api/v1/members'],
  ['post', '/api/v1/email-verifications'],
  ['post', '/api/v1/sessions'],
  ['delete', '/api/v1/sessions/current'],
  ['get', '/api/v1/me'],
  ['patch', '/api/v1/me'],
  ['post', '/api/v1/me/email'],
  ['post', '/api/v1/email-changes'],
  ['post', '/api/v1/me/password'],
  ['post', '/api/v1/password-resets'],
  ['post', '/api/v1/password-resets/complete'],
  ['get', '/api/v1/me/sessions'],
  ['delete', '/api/v1/me/sessions/{id}'],
  ['delete', '/api/v1/me/sessions'],
] as const;

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

test('the OpenAPI document describes every contract route, with its request body schema', async () => {
  const response = await t.api('GET', '/api/v1/openapi.json');
  assert.equal(response.statusCode, 200);
  const doc = response.json() as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
  assert.match(doc.openapi, /^3\./);
  for (const [method, path] of contract) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} missing`);
  assert.ok(doc.paths['/api/v1/members']!.post!.requestBody, 'join documents its body');
  assert.equal(Object.keys(doc.paths).some((p) => !p.startsWith('/api/')), false, 'pages stay out of the API document');
});
