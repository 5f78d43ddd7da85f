import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/logger.ts';
import { buildServices, type Services } from '../../src/services.ts';
import { fakeClock, type FakeClock } from './fake-clock.ts';
import { createTempDatabase } from './postgres.ts';
import { startSmtpCatcher } from './smtp-catcher.ts';

export type StoreKind = 'sqlite' | 'postgres';

/** Suites that do not name a store run on PLAYERPASS_TEST_STORE (CI runs them on both). */
function defaultStore(): StoreKind {
  const wanted = process.env.PLAYERPASS_TEST_STORE ?? 'sqlite';
  if (wanted !== 'sqlite' && wanted !== 'postgres') throw new Error(`PLAYERPASS_TEST_STORE must be sqlite or postgres, not ${wanted}`);
  return wanted;
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  clock: FakeClock;
  smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  dataDir: string;
  /** PostgreSQL only: the database's URL and name (for pg_dump). */
  databaseUrl: string | undefined;
  /** Delivers every queued mail now (the worker's timer is not running in tests). */
  deliverMail(): Promise<number>;
  api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * The real app on a real store (a SQLite file in a temp dir, or a fresh PostgreSQL database), a real
 * SMTP server catching the mails, a fake clock, and argon2id with small (test-only) cost settings.
 */
export async function buildTestApp(options: { store?: StoreKind; env?: Record<string, string> } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-test-'));
  const smtp = await startSmtpCatcher();
  const store = options.store ?? defaultStore();
  const pg = store === 'postgres' ? await createTempDatabase() : undefined;
  const config = loadConfig({
    PLAYERPASS_DATA_DIR: dataDir,
    PLAYERPASS_PUBLIC_URL: 'http://playerpass.test',
    PLAYERPASS_SMTP_URL: smtp.url,
    PLAYERPASS_ARGON2_MEMORY_KIB: '1024',
    PLAYERPASS_ARGON2_ITERATIONS: '1',
    PLAYERPASS_LOG_LEVEL: 'silent',
    ...(pg ? { PLAYERPASS_DATABASE_URL: pg.url } : {}),
    ...options.env,
  });
  const clock = fakeClock();
  const services = await buildServices(config, { clock, logger: createLogger('silent') });
  const app = await buildApp(services);
  return {
    app,
    services,
    clock,
    smtp,
    dataDir,
    databaseUrl: pg?.url,
    deliverMail: () => services.mail.drain(),
    api(method, url, request = {}) {
      const headers: Record<string, string> = { ...request.headers };
      if (request.token) headers.authorization = `Bearer ${request.token}`;
      return app.inject({ method, url, headers, ...(request.body !== undefined ? { payload: request.body as object } : {}) });
    },
    async close() {
      await app.close();
      await services.close();
      await smtp.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
