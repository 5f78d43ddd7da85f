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
import { load, type LoadResult } from './lib/autocannon.ts';
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

// Both servers stay up and take turns in slices, A-B-B-A, so that whatever else the machine does
// during the run falls on both alike (one 10 s run after the other moved the ratio by ±0.15 here).
const bare = await startChild('bench/lib/bare-server.ts', [], {});
const node = await startChild('src/cli/main.ts', ['serve'], env, '/readyz');
const sliceSeconds = Math.max(1, Number(process.env.BENCH_SLICE_SECONDS ?? 2));
const slices = Math.max(1, Math.round(seconds / sliceSeconds / 2)) * 2;
let i = 0;
let peakRss = 0;
let bareRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, node.rssMiB());
  bareRss = Math.max(bareRss, bare.rssMiB());
}, 250);
const bareSlices: LoadResult[] = [];
const nodeSlices: LoadResult[] = [];
for (let slice = 0; slice < slices; slice++) {
  const order = slice % 2 === 0 ? (['bare', 'node'] as const) : (['node', 'bare'] as const);
  for (const which of order) {
    if (which === 'bare') bareSlices.push(await load({ url: `${bare.url}/api/v1/me`, connections, seconds: sliceSeconds }));
    else nodeSlices.push(await load({ url: `${node.url}/api/v1/me`, connections, seconds: sliceSeconds, next: () => ({ headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` } }) }));
  }
}
clearInterval(sampler);
await Promise.all([bare.stop(), node.stop()]);
const baseline = combine(bareSlices);
const sessionCheck = combine(nodeSlices);

const ratio = sessionCheck.requestsPerSecond / baseline.requestsPerSecond;
const rows = [
  ['bare Fastify constant (ceiling)', baseline.requestsPerSecond, baseline.p50Ms, baseline.p99Ms, bareRss, '1.00'],
  [`GET /api/v1/me on ${members.toLocaleString('en')} members`, sessionCheck.requestsPerSecond, sessionCheck.p50Ms, sessionCheck.p99Ms, peakRss, ratio.toFixed(2)],
];
console.log(`\nsession check, ${connections} connections, ${slices} slices of ${sliceSeconds} s each (A-B-B-A), ${storeLabel(store.kind)}\n`);
console.log('req/s: mean of the slices; p50 and p99: median of the slices\' (worst slice p99: ' + Math.max(...nodeSlices.map((r) => r.p99Ms)) + ' ms)\n');
console.log('| load | req/s | p50 ms | p99 ms | RSS MiB | ratio |\n|---|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\ntarget: ratio ≥ 0.5 → ${ratio >= 0.5 ? 'met' : 'MISSED'}; p99 < 5 ms → ${sessionCheck.p99Ms < 5 ? 'met' : 'MISSED'}; RSS < 250 MiB → ${peakRss < 250 ? 'met' : 'MISSED'}`);
console.log(`errors: ${sessionCheck.errors}, non-2xx: ${sessionCheck.non2xx}`);
recordResult(`session-check-${store.kind}`, { store: store.kind, members, seconds: slices * sliceSeconds, sliceSeconds, connections, baseline: { ...baseline, peakRssMiB: bareRss }, sessionCheck: { ...sessionCheck, peakRssMiB: peakRss, worstSliceP99Ms: Math.max(...nodeSlices.map((r) => r.p99Ms)) }, ratio, slices: { bare: bareSlices, node: nodeSlices } });
await store.release();

/** The slices of one server as one figure: mean req/s, median p50 and p99, all errors. */
function combine(results: LoadResult[]): LoadResult {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  return {
    requestsPerSecond: Math.round((results.reduce((sum, r) => sum + r.requestsPerSecond, 0) / results.length) * 10) / 10,
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
  };
}
