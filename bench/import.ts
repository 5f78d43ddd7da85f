// Legacy import throughput: generates a synthetic export of BENCH_ROWS rows (default 1.3 M) in the
// shared format (shared/data/README.md), imports it on SQLite with the default settings through the
// same services as `playerpass import members`, then runs the wrap job for BENCH_WRAP_SECONDS and
// projects the time to wrap every row. The import runs in a child process so its peak RSS is its own.
// Run: npx node bench/import.ts   (BENCH_ROWS, BENCH_WRAP_SECONDS, BENCH_DIR to keep the files)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordResult } from './lib/results.ts';

const rows = Number(process.env.BENCH_ROWS ?? 1_300_000);
const wrapSeconds = Number(process.env.BENCH_WRAP_SECONDS ?? 20);

/** The import and a bounded wrap run, in this (child) process; prints the figures as JSON. */
async function child(file: string, dataDir: string): Promise<void> {
  const { loadConfig } = await import('../src/config/load.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { openLegacyImport } = await import('../src/cli/commands/import.ts');
  const { importInWorker } = await import('../src/ops/import/worker.ts');
  // Default settings, as `playerpass import` opens them.
  const config = loadConfig({ PLAYERPASS_DATA_DIR: dataDir, PLAYERPASS_LOG_LEVEL: 'warn' });
  const services = await openLegacyImport(config, createLogger('warn'));
  let peakSampled = 0;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage().rss)), 100);
  const baselineRss = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const loadBefore = loadavg()[0]!;
  let lastLog = Date.now();
  // As `playerpass import members` runs it: on a worker thread with a bounded young generation.
  const summary = await importInWorker(config, {
    file,
    rejectsFile: join(dataDir, 'rejects.csv'),
    onProgress: (p) => {
      if (Date.now() - lastLog < 10_000) return;
      lastLog = Date.now();
      console.error(`  ${p.rows} rows, ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB RSS`);
    },
  });
  clearInterval(sampler);
  // CPU time of the whole process (the import runs on one worker thread): on a machine that others
  // load too, wall time stretches while this stays near what an idle machine would take.
  const cpu = process.cpuUsage(cpuBefore);
  const loadAfter = loadavg()[0]!;
  const importPeakMiB = Math.max(peakSampled, process.resourceUsage().maxRSS * 1024) / 2 ** 20;

  const pending = await services.legacyImport.wrap.remaining();
  const wrapStarted = Date.now();
  const wrap = await services.legacyImport.wrap.run({ concurrency: config.hashConcurrency, shouldContinue: () => Date.now() - wrapStarted < wrapSeconds * 1000 });
  const wrapElapsed = (Date.now() - wrapStarted) / 1000;
  const hashesPerSecond = wrap.wrapped / wrapElapsed;
  await services.close();

  const importSeconds = summary.elapsedMs / 1000;
  process.stdout.write(
    JSON.stringify({
      importSeconds: round(importSeconds),
      importRowsPerSecond: Math.round(summary.rows / importSeconds),
      importCpuSeconds: round((cpu.user + cpu.system) / 1e6),
      loadAverage: { before: round(loadBefore), after: round(loadAfter) },
      imported: summary.imported,
      rejected: summary.rejected,
      renamed: summary.renamed,
      baselineRssMiB: Math.round(baselineRss / 2 ** 20),
      importPeakRssMiB: Math.round(importPeakMiB),
      databaseMiB: Math.round(sizeOf(join(dataDir, 'playerpass.sqlite')) / 2 ** 20),
      wrapConcurrency: config.hashConcurrency,
      argon2: config.argon2,
      wrapSeconds: round(wrapElapsed),
      wrapHashesPerSecond: round(hashesPerSecond),
      wrapProjectedHoursForAll: round(pending / hashesPerSecond / 3600),
      targets: { importUnder180s: importSeconds < 180, rssUnder300MiB: importPeakMiB < 300 },
    }),
  );
}

const round = (n: number) => Math.round(n * 10) / 10;
const sizeOf = (path: string) => [path, `${path}-wal`].filter(existsSync).reduce((sum, p) => sum + statSync(p).size, 0);

const first = ['Chen', 'Chloé', 'José', '李', 'Aiko', 'María', 'Łukasz', 'Søren', 'Priya', 'Olu', 'Yuki', 'Mateo', 'Ana', 'Björn', 'Hiro', 'Dmitri', 'Zoë', 'Amy', 'Sonic', 'Tails', 'Knuckles', 'Ñandú', '佐藤'];
const last = ['Ivanova', 'Müller', 'Patel', 'Nguyen', 'Smith', 'Rossi', 'Kowalski', 'Jensen', 'Tanaka', 'Silva', 'García', 'Dubois', 'Okafor', 'Kim', 'Rose', 'Nakamura', '"Ace" Jones', 'van der Berg', 'Smith, Jr.', 'Hedgehog'];
const domains = ['example.org', 'example.net', 'example.com', 'mail.example', 'games.example'];

/**
 * Rows like the sample's, in about its proportions: md5 56 %, sha1 23 %, sha256-salted 17 %, bcrypt
 * and pbkdf2-sha256 1.5 % each, none 0.5 %; 0.3 % duplicate emails (other case and spaces), 0.1 %
 * invalid emails, 0.5 % bad birth dates, 0.1 % unknown schemes; 5 % of display names collide (with
 * quotes and commas among them). Hashes are random but well-formed (the import does not verify
 * them; sign-in is tested on the real sample).
 */
async function generate(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('\ufefflegacy_id,display_name,email,birth_date,created_at,password_scheme,password_hash,password_salt,email_verified\r\n');
  const b64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const pool = randomBytes(1 << 20);
  let cursor = 0;
  const bytes = (n: number) => {
    if (cursor + n > pool.length) {
      randomBytes(pool.length).copy(pool);
      cursor = 0;
    }
    cursor += n;
    return pool.subarray(cursor - n, cursor);
  };
  const hex = (n: number) => bytes(n).toString('hex');
  const alphabet = (n: number) => Array.from(bytes(n), (b) => b64[b % 64]).join('');
  const quote = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  let text = '';
  for (let i = 1; i <= count; i++) {
    const r = bytes(4).readUInt32LE(0) / 2 ** 32;
    // Most names are unique, as an old system's user names were; one in 20 is a common "First Last"
    // that collides (case-insensitively) with others and takes the ` #<legacy id>` path.
    const surname = last[(i * 7) % last.length]!;
    const name = i % 20 === 0 ? `${first[i % first.length]} ${surname}` : `${first[i % first.length]} ${surname.replace(/[^\p{L}]/gu, '').slice(0, 8)}${i.toString(36)}`;
    let email = `${(first[i % first.length]!.toLowerCase().replace(/[^a-z]/g, '') || 'player')}.${i}@${domains[i % domains.length]}`;
    if (i % 3 === 0) email = email.replace(/@.*/, '@Example.COM');
    if (r < 0.003 && i > 10) email = `  ${`${(first[(i - 5) % first.length]!.toLowerCase().replace(/[^a-z]/g, '') || 'player')}.${i - 5}@${domains[(i - 5) % domains.length]}`.toUpperCase()}  `;
    else if (r < 0.004) email = 'not-an-email';
    const birth = r > 0.995 ? (i % 2 ? '' : '31/02/1990') : `${1950 + (i % 55)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const created = `${2004 + (i % 8)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`;
    const s = bytes(2).readUInt16LE(0) / 65536;
    let scheme: string, hash: string, salt = '';
    if (s < 0.56) [scheme, hash] = ['md5', hex(16)];
    else if (s < 0.79) [scheme, hash] = ['sha1', hex(20)];
    else if (s < 0.96) [scheme, hash, salt] = ['sha256-salted', hex(32), hex(6)];
    else if (s < 0.975) [scheme, hash] = ['bcrypt', `$2b$10$${alphabet(53)}`];
    else if (s < 0.99) [scheme, hash] = ['pbkdf2-sha256', `pbkdf2_sha256$260000$${alphabet(12).replace(/[./]/g, 'x')}$${bytes(32).toString('base64')}`];
    else if (s < 0.995) [scheme, hash] = ['none', ''];
    else if (s < 0.996) [scheme, hash] = ['crypt16', alphabet(16)];
    else [scheme, hash] = ['md5', hex(16)];
    text += `${i},${quote(name)},${email},${birth},${created},${scheme},${hash},${salt},${i % 10 === 0 ? 0 : 1}\r\n`;
    if (text.length > 1 << 16) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  out.end(text);
  await once(out, 'finish');
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!);
} else {
  const dir = process.env.BENCH_DIR ?? join(tmpdir(), `playerpass-import-bench-${rows}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'members.csv');
  if (!existsSync(file)) {
    const started = Date.now();
    await generate(file, rows);
    console.error(`generated ${rows} rows (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${file}`);
  }
  const dataDir = join(dir, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const output = execFileSync(process.execPath, [import.meta.filename, '--child', file, dataDir], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  // The last line: the service's logger may have written its own lines before it.
  const figures = JSON.parse(output.toString('utf8').trim().split('\n').at(-1)!) as Record<string, unknown>;
  recordResult('import', { rows, ...figures });
  console.log(JSON.stringify(figures, null, 2));
  if (!process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
}
