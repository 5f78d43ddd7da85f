// Session-check throughput: GET /api/v1/me with a bearer token, 50 connections, on a store of
// BENCH_MEMBERS members (default 1.3 M), against a bare Fastify route in the same run.
// Run: npx node bench/session-check.ts   (BENCH_MEMBERS, BENCH_SECONDS, BENCH_STORE=postgres,
//      BENCH_DATA_DIR (+ BENCH_DATABASE_URL on PostgreSQL) to reuse a seeded store)
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/logger.ts';
import { buildServices } from '../src/services.ts';
import { startChild } from './lib/child.ts';
import { load } from './lib/autocannon.ts';
import { seedMembers, seedSessions } from './lib/seed.ts';
import { recordResult } from './lib/results.ts';
import { benchStore, storeLabel } from './lib/store.ts';

const members = Number(process.env.BENCH_MEMBERS ?? 1_300_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 50;
const store = await benchStore();
// A SQLite store is kept between runs (seeding 1.3 M members takes minutes); a fresh PostgreSQL
// database comes with a fresh data dir (its key file), unless both are given.
const dataDir =
  process.env.BENCH_DATA_DIR ?? (store.kind === 'sqlite' ? join(tmpdir(), `playerpass-bench-${members}`) : mkdtempSync(join(tmpdir(), 'playerpass-bench-pg-')));
const env = { PLAYERPASS_DATA_DIR: dataDir, PLAYERPASS_LOG_LEVEL: 'warn', ...store.env };

mkdirSync(dataDir, { recursive: true });
const services = await buildServices(loadConfig(env), { logger: createLogger('warn') });
const seededMarker = join(dataDir, 'seeded');
if (!existsSync(seededMarker)) {
  const started = Date.now();
  await seedMembers(services, members, 'bench password 1234', (done) => {
    if (done % 100_000 === 0 || done === members) console.error(`seeded ${done} members (${Math.round(done / ((Date.now() - started) / 1000))}/s)`);
  });
  writeFileSync(seededMarker, String(members));
}
const tokens = await seedSessions(services, 2_000);
// What a server does once on a store it has not served before (here: one seeded by this script):
// check that every encrypted value is on the active keys. Done now, it stays out of the measurement.
services.keys.reencryption.start();
await services.keys.reencryption.idle();
await services.close();

const bare = await startChild('bench/lib/bare-server.ts', [], {});
let i = 0;
const baseline = await load({ url: `${bare.url}/api/v1/me`, connections, seconds });
const bareRss = bare.rssMiB();
await bare.stop();

const node = await startChild('src/cli/main.ts', ['serve'], env, '/readyz');
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, node.rssMiB())), 250);
const sessionCheck = await load({
  url: `${node.url}/api/v1/me`,
  connections,
  seconds,
  next: () => ({ headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` } }),
});
clearInterval(sampler);
await node.stop();

const ratio = sessionCheck.requestsPerSecond / baseline.requestsPerSecond;
const rows = [
  ['bare Fastify constant (ceiling)', baseline.requestsPerSecond, baseline.p50Ms, baseline.p99Ms, bareRss, '1.00'],
  [`GET /api/v1/me on ${members.toLocaleString('en')} members`, sessionCheck.requestsPerSecond, sessionCheck.p50Ms, sessionCheck.p99Ms, peakRss, ratio.toFixed(2)],
];
console.log(`\nsession check, ${connections} connections, ${seconds} s each, ${storeLabel(store.kind)}\n`);
console.log('| load | req/s | p50 ms | p99 ms | RSS MiB | ratio |\n|---|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\ntarget: ratio ≥ 0.5 → ${ratio >= 0.5 ? 'met' : 'MISSED'}; p99 < 5 ms → ${sessionCheck.p99Ms < 5 ? 'met' : 'MISSED'}; RSS < 250 MiB → ${peakRss < 250 ? 'met' : 'MISSED'}`);
console.log(`errors: ${sessionCheck.errors}, non-2xx: ${sessionCheck.non2xx}`);
recordResult(`session-check-${store.kind}`, { store: store.kind, members, seconds, connections, baseline, sessionCheck: { ...sessionCheck, peakRssMiB: peakRss }, ratio });
await store.release();
