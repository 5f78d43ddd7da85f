// Scale-out on one machine: `playerpass serve --workers 1` and then `--workers 2`, both on the same
// PostgreSQL database and Redis, under the same loads, in one run:
//   - session checks (GET /api/v1/me with a bearer token, 50 connections);
//   - sign-ins (POST /api/v1/sessions with right passwords from known devices).
// Prints req/s, p50/p99 and the RSS of all processes, and the 2-process figures as a ratio of the
// 1-process ones. On a 2-core machine the load generator shares the cores with the servers, and
// sign-ins are bound by argon2id, which one process already runs on every core, so expect gains on
// session checks only; on a machine with more cores than one process uses, both scale.
// Run: npx node bench/scale-out.ts   (BENCH_SECONDS, BENCH_MEMBERS, BENCH_REDIS_URL)
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/logger.ts';
import { buildServices } from '../src/services.ts';
import { load, type LoadResult } from './lib/autocannon.ts';
import { startChild } from './lib/child.ts';
import { recordResult } from './lib/results.ts';
import { seedMembers, seedSessions } from './lib/seed.ts';
import { benchStore } from './lib/store.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const members = Number(process.env.BENCH_MEMBERS ?? 20_000);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
const password = 'bench password 1234';
const signInMembers = 200;

const store = await benchStore('postgres');
const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-scale-bench-'));
const env: Record<string, string> = {
  PLAYERPASS_DATA_DIR: dataDir,
  PLAYERPASS_LOG_LEVEL: 'warn',
  PLAYERPASS_TRUST_PROXY: 'true',
  PLAYERPASS_MAIL_POLL_MS: '600000',
  PLAYERPASS_REDIS_URL: redisUrl,
  ...store.env,
};
const redis = new Redis(redisUrl);
await redis.flushdb();
redis.disconnect();

const services = await buildServices(loadConfig(env), { logger: createLogger('warn') });
await seedMembers(services, members, password);
const tokens = await seedSessions(services, 2_000);
await services.close();

interface Run {
  processes: number;
  sessionCheck: LoadResult;
  signIn: LoadResult;
  peakRssMiB: number;
}

let requestNo = 0;
const ip = (k: number) => `10.${2 + ((k >> 16) & 63)}.${(k >> 8) & 255}.${k & 255}`;

async function measure(processes: number): Promise<Run> {
  const node = await startChild('src/cli/main.ts', ['serve', '--workers', String(processes)], env, '/readyz');
  // Every worker must be up before the clock starts: the primary answers nothing itself.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  let peakRssMiB = 0;
  const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, node.treeRssMiB())), 250);
  try {
    // Returning players: each signs in once to get its device cookie, as hash-bound.ts does.
    const cookies: string[] = [];
    for (let m = 0; m < signInMembers; m++) {
      const response = await fetch(`${node.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip(requestNo++) },
        body: JSON.stringify({ email: `player.${m}@bench.example`, password }),
      });
      if (response.status !== 201) throw new Error(`warm-up sign-in answered ${response.status}`);
      cookies.push(response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').filter((c) => c.includes('pp_device')).join('; '));
    }
    let t = 0;
    const sessionCheck = await load({
      url: `${node.url}/api/v1/me`,
      connections: 50,
      seconds,
      next: () => ({ headers: { authorization: `Bearer ${tokens[t++ % tokens.length]}` } }),
    });
    const signIn = await load({
      url: `${node.url}/api/v1/sessions`,
      method: 'POST',
      connections: 4 * availableParallelism(),
      seconds,
      next: () => {
        const k = requestNo++;
        const m = k % signInMembers;
        return { headers: { 'x-forwarded-for': ip(k), cookie: cookies[m]! }, body: JSON.stringify({ email: `player.${m}@bench.example`, password }) };
      },
    });
    return { processes, sessionCheck, signIn, peakRssMiB };
  } finally {
    clearInterval(sampler);
    await node.stop();
  }
}

const runs: Run[] = [];
try {
  for (const processes of [1, 2]) runs.push(await measure(processes));
} finally {
  await store.release();
}
const [one, two] = runs as [Run, Run];
const ratio = (a: number, b: number) => (a / b).toFixed(2);
console.log(`\nPostgreSQL + Redis, ${availableParallelism()} cores, ${members.toLocaleString('en')} members, ${seconds} s per load\n`);
console.log('| processes | session checks req/s | p50 ms | p99 ms | sign-ins req/s | p50 ms | p99 ms | RSS MiB (all) |\n|---|---|---|---|---|---|---|---|');
for (const run of runs) {
  const { sessionCheck: s, signIn: i } = run;
  console.log(`| ${run.processes} | ${s.requestsPerSecond} | ${s.p50Ms} | ${s.p99Ms} | ${i.requestsPerSecond} | ${i.p50Ms} | ${i.p99Ms} | ${run.peakRssMiB} |`);
}
console.log(`| 2 ÷ 1 | ${ratio(two.sessionCheck.requestsPerSecond, one.sessionCheck.requestsPerSecond)} | | | ${ratio(two.signIn.requestsPerSecond, one.signIn.requestsPerSecond)} | | | |`);
const failures = runs.reduce((sum, run) => sum + run.sessionCheck.errors + run.sessionCheck.non2xx + run.signIn.errors + run.signIn.non2xx, 0);
console.log(`\nerrors and non-2xx answers: ${failures}`);
recordResult('scale-out', {
  store: 'postgres',
  redis: true,
  seconds,
  members,
  runs,
  sessionCheckRatio: two.sessionCheck.requestsPerSecond / one.sessionCheck.requestsPerSecond,
  signInRatio: two.signIn.requestsPerSecond / one.signIn.requestsPerSecond,
});
