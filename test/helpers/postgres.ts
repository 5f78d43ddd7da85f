import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use: PLAYERPASS_TEST_PG_URL, or the local server CI and this machine run. */
export const adminUrl = process.env.PLAYERPASS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, empty database of its own for one test file; `drop()` removes it. */
export async function createTempDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `playerpass_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
