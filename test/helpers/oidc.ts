import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import * as client from 'openid-client';
import type { NewClient } from '../../src/oidc/clients.ts';
import { buildTestApp, type TestApp } from './test-app.ts';
import { freePort } from './node-process.ts';

/** A relying party's callback origin: never listened on, the browser's requests to it are intercepted. */
export const RP = 'http://rp.playerpass.test';

export interface OidcTestApp {
  t: TestApp;
  base: string;
  issuer: URL;
}

/** playerpass listening on a random port, with PLAYERPASS_PUBLIC_URL set to that address. */
export async function startOidcApp(env: Record<string, string> = {}): Promise<OidcTestApp> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await buildTestApp({ env: { PLAYERPASS_PUBLIC_URL: base, ...env } });
  await t.app.listen({ port, host: '127.0.0.1' });
  return { t, base, issuer: new URL(`${base}/oidc`) };
}


/** A relying party's pages for the browser to land on: any path answers 200 (the test reads the URL). */
export async function startRelyingPartySite(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createHttpServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Game</title><p>Back at the game.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Registers a client as `playerpass clients add` does and configures openid-client for it (discovery over http). */
export async function relyingParty(app: OidcTestApp, input: NewClient): Promise<{ config: client.Configuration; clientId: string; secret: string | undefined }> {
  const { client: registered, secret } = await app.t.services.oidc.clients.add(input);
  const auth = secret ? client.ClientSecretBasic(secret) : client.None();
  const config = await client.discovery(app.issuer, registered.clientId, undefined, auth, { execute: [client.allowInsecureRequests] });
  return { config, clientId: registered.clientId, secret };
}

/** A member who joined and confirmed their email, through the API and the mailed link. */
export async function verifiedMember(t: TestApp, member: { displayName: string; email: string; birthDate: string; password: string }): Promise<{ id: string; token: string }> {
  const joined = await t.api('POST', '/api/v1/members', { body: member });
  assert.equal(joined.statusCode, 202);
  await t.deliverMail();
  const mail = await t.smtp.waitForMail((m) => m.to.includes(member.email) && m.text.includes('/verify'));
  const verified = await t.api('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(mail, '/verify') } });
  assert.equal(verified.statusCode, 200);
  const session = await t.api('POST', '/api/v1/sessions', { body: { email: member.email, password: member.password } });
  assert.equal(session.statusCode, 201);
  return { id: session.json().member.id, token: session.json().token };
}

/** The OAuth error an openid-client call failed with (`invalid_grant`, …), or the thrown error's code. */
export async function oauthError(promise: Promise<unknown>): Promise<{ error: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    // ResponseBodyError carries `error`; a 401 with WWW-Authenticate carries it in the challenge.
    const e = error as { error?: string; code?: string; status?: number; cause?: { parameters?: { error?: string } }[] };
    if (e.error) return { error: e.error, status: e.status };
    const challenged = Array.isArray(e.cause) ? e.cause.find((c) => c.parameters?.error)?.parameters?.error : undefined;
    return { error: challenged ?? e.code ?? String(error), status: e.status };
  }
  assert.fail('expected an OAuth error');
}

/**
 * A browser without a browser, for redirect-only flows: follows 30x within playerpass with a cookie
 * jar, and stops at the first redirect that leaves it (the client's callback), returning that URL.
 */
export function cookieJarBrowser(base: string) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  return {
    jar,
    async request(url: string, init: RequestInit = {}): Promise<Response> {
      const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
      remember(response);
      return response;
    },
    /** Follows redirects inside playerpass; returns the URL outside it where they lead. */
    async follow(url: string): Promise<URL> {
      let next = new URL(url);
      for (let hop = 0; hop < 10; hop++) {
        if (next.origin !== base) return next;
        const response = await this.request(next.href);
        assert.ok(response.status < 500, `${next.pathname} answered ${response.status}`);
        const location = response.headers.get('location');
        assert.ok(location, `${next.pathname} answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`);
        next = new URL(location, next);
      }
      assert.fail('too many redirects');
    },
  };
}
