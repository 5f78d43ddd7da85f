/**
 * What the sign-in limiter costs: sign-in throughput and latency of the real app (in process, on
 * SQLite, default argon2id settings) with the normal in-memory guard and with a guard that does
 * nothing, in the same run on the same members. Successful sign-ins only, from many addresses, so
 * every limiter check runs and none trips.
 *
 *   npx node bench/sign-in-limiter.ts            # BENCH_SECONDS=10 per variant by default
 *
 * Settings: BENCH_SECONDS (per variant), BENCH_CONCURRENCY (requests in flight, 8), BENCH_IPS
 * (client addresses rotated over, 256), BENCH_MEMBERS (32). Writes bench/results/sign-in-limiter.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { newKeyringJson } from '../src/crypto/keyring.ts';
import { randomId } from '../src/crypto/random.ts';
import type { Member } from '../src/domain/member.ts';
import { createRateLimits } from '../src/limits/rate-limits.ts';
import { createSignInGuard, type SignInGuard } from '../src/limits/sign-in-guard.ts';
import { createStuffingDetector } from '../src/limits/stuffing-detector.ts';
import { systemClock } from '../src/domain/clock.ts';
import { createLogger } from '../src/logger.ts';
import type { MailTransport } from '../src/mail/transports/transport.ts';
import { buildServices } from '../src/services.ts';
import { envNumber, markdownTable, percentile, runLoad, type LoadResult } from './lib/closed-loop.ts';

type Variant = 'with limiter' | 'without limiter';

const seconds = envNumber('BENCH_SECONDS', 10);
const sliceSeconds = envNumber('BENCH_SLICE_SECONDS', 1);
const concurrency = Math.floor(envNumber('BENCH_CONCURRENCY', 8));
const ipCount = Math.floor(envNumber('BENCH_IPS', 256));
const memberCount = Math.floor(envNumber('BENCH_MEMBERS', 32));
const TARGET = 0.95;
const warmupMs = 1000;
/**
 * Both apps stay up for the whole run and take turns in short slices, A-B-B-A repeated, so warm-up,
 * a growing database and whatever else the machine is doing weigh on both variants alike.
 */
const slicesPerVariant = Math.max(2, Math.round(seconds / sliceSeconds));
const order: Variant[] = Array.from({ length: slicesPerVariant * 2 }, (_, i) =>
  [0, 3].includes(i % 4) ? 'with limiter' : 'without limiter',
);
const sliceMs = (seconds * 1000) / slicesPerVariant;

const resultPath = fileURLToPath(new URL('./results/sign-in-limiter.json', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-bench-'));
// Only our own settings: never the PLAYERPASS_* of the calling shell. Argon2 stays at its defaults.
const config = loadConfig({
  PLAYERPASS_DATA_DIR: dataDir,
  PLAYERPASS_KEYS: newKeyringJson(),
  PLAYERPASS_TRUST_PROXY: 'true',
  PLAYERPASS_LOG_LEVEL: 'warn',
  PLAYERPASS_PUBLIC_URL: 'http://127.0.0.1',
});
const logger = createLogger('warn');
const noGuard: SignInGuard = { admit: async () => {}, failed: async () => {}, succeeded: async () => {} };
/** Sign-ins without a device cookie queue a new-device notice; the outbox fills, nothing is sent. */
const dropMail: MailTransport = { send: async () => {}, close: async () => {}, describe: 'discarded (bench)' };

const members: { email: string; password: string }[] = Array.from({ length: memberCount }, (_, i) => ({
  email: `bench${i}@bench.example.com`,
  password: `bench member ${i} long passphrase`,
}));
const ipFor = (i: number) => {
  const n = i % ipCount;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

async function seed(): Promise<void> {
  const services = await buildServices(config, { logger, mailTransport: dropMail });
  const now = Date.now();
  await Promise.all(
    members.map(async ({ email, password }, i) => {
      const member: Member = {
        id: randomId(),
        displayName: `Bench Player ${i}`,
        email,
        birthDate: '1990-01-01',
        status: 'active',
        emailVerified: true,
        mustReset: false,
        canary: false,
        failedSignIns: 0,
        createdAt: now,
        updatedAt: now,
      };
      await services.flows.store.members.insert(member, await services.flows.hasher.hash(password));
    }),
  );
  await services.close();
}

interface Target {
  variant: Variant;
  request(i: number): Promise<number>;
  close(): Promise<void>;
}

async function startTarget(variant: Variant): Promise<Target> {
  const services = await buildServices(config, { logger, mailTransport: dropMail, ...(variant === 'without limiter' ? { signInGuard: noGuard } : {}) });
  const app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}/api/v1/sessions`;
  return {
    variant,
    async request(i) {
      const member = members[i % memberCount]!;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ipFor(i), 'user-agent': 'playerpass-bench/1' },
        body: JSON.stringify({ email: member.email, password: member.password }),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async close() {
      await app.close();
      await services.close();
    },
  };
}

let counter = 0;
async function slice(target: Target, durationMs: number): Promise<LoadResult> {
  const result = await runLoad({ concurrency, durationMs, expectStatus: 201, request: (i) => target.request(i), startAt: counter });
  counter = result.nextIndex;
  for (const [status, n] of Object.entries(result.errors)) {
    if (n > 0) throw new Error(`${target.variant}: ${n} answers with status ${status} (the bench must stay below every limit)`);
  }
  return result;
}

/**
 * The guard alone, outside HTTP: mean time of admit + succeeded (the path of every successful
 * sign-in) on a fresh in-memory guard. Far less sensitive to a busy machine than req/s, it bounds
 * the limiter's share of a sign-in: guard time ÷ time per sign-in.
 */
async function guardMicros(iterations: number): Promise<number> {
  const guard = createSignInGuard(createRateLimits(), createStuffingDetector({ alarms: { raise: async () => {} }, clock: systemClock }));
  const attempt = (i: number) => ({ ip: `172.16.${(i >> 8) & 255}.${i & 255}`, accountKey: `account-${i % memberCount}`, trustedDevice: false });
  for (let i = 0; i < 1000; i++) await guard.admit(attempt(i)).then(() => guard.succeeded(attempt(i)));
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    await guard.admit(attempt(i));
    await guard.succeeded(attempt(i));
  }
  return ((performance.now() - started) * 1000) / iterations;
}

function merge(results: LoadResult[]): LoadResult {
  return {
    requests: results.reduce((s, r) => s + r.requests, 0),
    ok: results.reduce((s, r) => s + r.ok, 0),
    errors: {},
    latenciesMs: results.flatMap((r) => r.latenciesMs),
    elapsedMs: results.reduce((s, r) => s + r.elapsedMs, 0),
    maxRssBytes: Math.max(...results.map((r) => r.maxRssBytes)),
  };
}

const targets: Target[] = [];
try {
  console.error(`seeding ${memberCount} members (argon2id m=${config.argon2.memoryKiB} KiB, t=${config.argon2.iterations}, p=${config.argon2.parallelism})…`);
  await seed();
  targets.push(await startTarget('with limiter'), await startTarget('without limiter'));
  const byVariant = (variant: Variant) => targets.find((t) => t.variant === variant)!;
  for (const target of targets) await slice(target, warmupMs);
  const loadBefore = loadavg()[0]!;
  console.error(`measuring: ${slicesPerVariant} slices of ${(sliceMs / 1000).toFixed(2)} s per variant, A-B-B-A…`);
  const segments: Record<Variant, LoadResult[]> = { 'with limiter': [], 'without limiter': [] };
  for (const variant of order) segments[variant].push(await slice(byVariant(variant), sliceMs));
  const loadAfter = loadavg()[0]!;
  const summary = (Object.keys(segments) as Variant[]).map((variant) => {
    const r = merge(segments[variant]);
    return {
      variant,
      requests: r.ok,
      seconds: r.elapsedMs / 1000,
      rps: r.ok / (r.elapsedMs / 1000),
      p50Ms: percentile(r.latenciesMs, 50),
      p99Ms: percentile(r.latenciesMs, 99),
      maxRssMiB: r.maxRssBytes / 2 ** 20,
      sliceRps: segments[variant].map((x) => Number((x.ok / (x.elapsedMs / 1000)).toFixed(1))),
    };
  });
  const [withLimiter, withoutLimiter] = summary as [(typeof summary)[number], (typeof summary)[number]];
  const ratio = withLimiter.rps / withoutLimiter.rps;
  // Each call from its own address (65,536 of them), so no budget is ever spent.
  const guardUs = await guardMicros(20_000);
  const guardShare = guardUs / 1000 / (1000 / withoutLimiter.rps);

  console.log(`\n## Sign-in throughput with and without the limiter\n`);
  console.log(
    markdownTable(
      ['variant', 'sign-ins', 'req/s', 'p50 ms', 'p99 ms', 'max RSS MiB'],
      summary.map((s) => [s.variant, s.requests, s.rps.toFixed(1), s.p50Ms.toFixed(1), s.p99Ms.toFixed(1), s.maxRssMiB.toFixed(0)]),
    ),
  );
  console.log(
    `\nratio with/without: ${ratio.toFixed(3)} (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'}); ` +
      `${seconds} s per variant in A-B-B-A slices of ${(sliceMs / 1000).toFixed(2)} s, ${concurrency} in flight, ${ipCount} client addresses, ${memberCount} members, ` +
      `Node ${process.version}, ${availableParallelism()} CPU (${cpus()[0]?.model ?? 'unknown'}), load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`,
  );
  console.log(
    `guard alone (admit + succeeded, in memory): ${guardUs.toFixed(1)} µs per sign-in = ${(guardShare * 100).toFixed(3)} % of the ${(1000 / withoutLimiter.rps).toFixed(1)} ms per sign-in at the measured rate without it (1 ÷ req/s)`,
  );
  if (loadAfter > availableParallelism()) {
    console.log(`\nnote: the machine was busy (load average ${loadAfter.toFixed(1)} on ${availableParallelism()} CPUs); the slices interleave the variants to share the noise, but rerun on a quiet machine for figures to quote.`);
  }

  mkdirSync(dirname(resultPath), { recursive: true });
  writeFileSync(
    resultPath,
    `${JSON.stringify(
      {
        bench: 'sign-in-limiter',
        at: new Date().toISOString(),
        node: process.version,
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model ?? null,
        loadAverage: { before: loadBefore, after: loadAfter },
        settings: { secondsPerVariant: seconds, sliceSeconds: sliceMs / 1000, concurrency, ips: ipCount, members: memberCount, store: 'sqlite', argon2: config.argon2, hashConcurrency: config.hashConcurrency, order: 'A-B-B-A repeated (A = with limiter)' },
        variants: summary,
        ratio,
        guardMicrosPerSignIn: guardUs,
        guardShareOfSignIn: guardShare,
        target: TARGET,
        targetMet: ratio >= TARGET,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${resultPath}`);
} finally {
  for (const target of targets) await target.close();
  rmSync(dataDir, { recursive: true, force: true });
}
