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
        // A pool that has just ended may still have backends finishing their goodbye; FORCE would
        // kill them mid-way and their client would hear "terminating connection" as an uncaught error.
        for (let waited = 0; waited < 5_000; waited += 50) {
          const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (Number(rows[0]?.n) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
