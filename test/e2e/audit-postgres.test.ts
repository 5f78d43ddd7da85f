import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { keyringFromJson, newKeyringJson } from '../../src/crypto/keyring.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { createAuditTrail } from '../../src/ops/audit/trail.ts';
import { searchAudit } from '../../src/ops/audit/query.ts';
import { verifyAuditChain } from '../../src/ops/audit/verify.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { createTempDatabase } from '../helpers/postgres.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-audit-pg-'));
const keyring = keyringFromJson(newKeyringJson(), 'test');
let pg: Awaited<ReturnType<typeof createTempDatabase>>;
let nodes: Database[] = [];

before(async () => {
  pg = await createTempDatabase();
  // Two "nodes": each its own Kysely and its own pool on the same database.
  nodes = [0, 1].map(() => openDatabase({ databaseUrl: pg.url, dataDir, poolSize: 5 }));
  await migrateToLatest(nodes[0]!.db);
});

after(async () => {
  for (const node of nodes) await node.close();
  await pg?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('two nodes appending 50 events each at once make one unbroken chain of 100', async () => {
  const [a, b] = nodes.map((node) => createAuditTrail(node.db, keyring, systemClock));
  const burst = (trail: typeof a, node: string) =>
    Array.from({ length: 50 }, (_, i) => trail!.record({ type: 'sign_in.succeeded', memberId: `${node}-${i % 7}`, ipPrefix: '198.51.100.0/24', data: { node, i } }));
  await Promise.all([...burst(a, 'a'), ...burst(b, 'b')]);

  const db = nodes[0]!.db;
  const seqs = (await db.selectFrom('audit_events').select('seq').orderBy('seq').execute()).map((r) => r.seq);
  assert.deepEqual(seqs, Array.from({ length: 100 }, (_, i) => i + 1));
  assert.deepEqual(await verifyAuditChain(db, keyring, { batchSize: 30 }), { ok: true, rows: 100 });
  assert.equal((await searchAudit(db, { ipPrefix: '198.51.100', limit: 1000 })).length, 100);
  assert.equal((await searchAudit(db, { memberId: 'b-3' })).length, 7);

  await sql`update audit_events set data = '{}' where seq = 64`.execute(db);
  assert.deepEqual(await verifyAuditChain(nodes[1]!.db, keyring), { ok: false, rows: 63, firstBadSeq: 64, problem: 'altered' });
});
