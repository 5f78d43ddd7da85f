// Sign-in and join spend almost all their time in argon2id. This measures, in one run:
//   1. the ceiling: raw argon2id hashes/s on all cores with playerpass's settings (no HTTP, no DB);
//   2. sign-in throughput (POST /api/v1/sessions, right passwords) against a playerpass process;
//   3. join throughput (POST /api/v1/members, new members);
// and prints each as a ratio of the ceiling (target ≥ 0.9), with p50/p99 and the server's RSS.
// Run: npx node bench/hash-bound.ts   (BENCH_SECONDS; BENCH_STORE=postgres for a fresh database on the local server)
import { hash } from '@node-rs/argon2';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/logger.ts';
import { buildServices } from '../src/services.ts';
import { load } from './lib/autocannon.ts';
import { startChild } from './lib/child.ts';
import { recordResult } from './lib/results.ts';
import { seedMembers } from './lib/seed.ts';
import { benchStore, storeLabel } from './lib/store.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const cores = availableParallelism();
const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-hash-bench-'));
const store = await benchStore();
const env: Record<string, string> = { PLAYERPASS_DATA_DIR: dataDir, PLAYERPASS_LOG_LEVEL: 'warn', PLAYERPASS_TRUST_PROXY: 'true', PLAYERPASS_MAIL_POLL_MS: '600000', ...store.env };
const config = loadConfig(env);

async function argon2Ceiling(): Promise<number> {
  const options = { memoryCost: config.argon2.memoryKiB, timeCost: config.argon2.iterations, parallelism: config.argon2.parallelism, secret: Buffer.alloc(32, 7) };
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      await hash(`password ${done}`, options);
      done += 1;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: cores }, worker));
  return done / ((Date.now() - started) / 1000);
}

const MEMBERS = 200;
const services = await buildServices(config, { logger: createLogger('warn') });
await seedMembers(services, MEMBERS, 'bench password 1234');
await services.close();

const ceiling = await argon2Ceiling();
const node = await startChild('src/cli/main.ts', ['serve'], env, '/readyz');
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, node.rssMiB())), 250);

// Each member signs in from its own known device (cookie from a first sign-in), as a returning player would.
const cookies: string[] = [];
for (let i = 0; i < MEMBERS; i++) {
  const response = await fetch(`${node.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.1.${i >> 8}.${i & 255}` },
    body: JSON.stringify({ email: `player.${i}@bench.example`, password: 'bench password 1234' }),
  });
  if (response.status !== 201) throw new Error(`warm-up sign-in answered ${response.status}`);
  cookies.push(response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').filter((c) => c.includes('pp_device')).join('; '));
}

let n = 0;
const ip = (k: number) => `10.${2 + ((k >> 16) & 63)}.${(k >> 8) & 255}.${k & 255}`;
const connections = 4 * cores;
const signIn = await load({
  url: `${node.url}/api/v1/sessions`,
  method: 'POST',
  connections,
  seconds,
  next: () => {
    const k = n++;
    const m = k % MEMBERS;
    return {
      headers: { 'x-forwarded-for': ip(k), cookie: cookies[m]! },
      body: JSON.stringify({ email: `player.${m}@bench.example`, password: 'bench password 1234' }),
    };
  },
});
const signInRss = peakRss;
peakRss = 0;
const joinRun = await load({
  url: `${node.url}/api/v1/members`,
  method: 'POST',
  connections,
  seconds,
  next: () => {
    const k = n++;
    return {
      headers: { 'x-forwarded-for': ip(k) },
      body: JSON.stringify({ displayName: `Joiner ${k}`, email: `joiner.${k}@bench.example`, birthDate: '1999-09-09', password: `a fresh passphrase ${k}` }),
    };
  },
});
clearInterval(sampler);
await node.stop();

const rows = [
  ['argon2id raw, all cores (ceiling)', ceiling.toFixed(1), '', '', '', '1.00'],
  ['sign-in POST /api/v1/sessions', signIn.requestsPerSecond, signIn.p50Ms, signIn.p99Ms, signInRss, (signIn.requestsPerSecond / ceiling).toFixed(2)],
  ['join POST /api/v1/members', joinRun.requestsPerSecond, joinRun.p50Ms, joinRun.p99Ms, peakRss, (joinRun.requestsPerSecond / ceiling).toFixed(2)],
];
console.log(`\nargon2id m=${config.argon2.memoryKiB} KiB t=${config.argon2.iterations} p=${config.argon2.parallelism}, ${cores} cores, ${connections} connections, ${seconds} s each, ${storeLabel(store.kind)}\n`);
console.log('| load | req/s | p50 ms | p99 ms | RSS MiB | ratio to ceiling |\n|---|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\nnon-2xx: sign-in ${signIn.non2xx}, join ${joinRun.non2xx}; errors: ${signIn.errors + joinRun.errors}`);
recordResult(`hash-bound-${store.kind}`, { store: store.kind, seconds, cores, connections, argon2: config.argon2, ceilingHashesPerSecond: ceiling, signIn: { ...signIn, peakRssMiB: signInRss }, join: { ...joinRun, peakRssMiB: peakRss } });
await store.release();
