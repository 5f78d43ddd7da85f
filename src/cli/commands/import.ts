import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../../config/load.ts';
import { createBlindIndex } from '../../crypto/blind-index.ts';
import { createFieldCipher } from '../../crypto/field-cipher.ts';
import { loadKeyring } from '../../crypto/keyring.ts';
import { createPasswordHasher } from '../../crypto/password-hasher.ts';
import { createWorkQueue } from '../../crypto/work-queue.ts';
import { systemClock } from '../../domain/clock.ts';
import { createLogger } from '../../logger.ts';
import { createAuditTrail } from '../../ops/audit/trail.ts';
import { createLegacyImport, type LegacyImport } from '../../ops/import/index.ts';
import { createProgress, duration } from '../../ops/import/progress.ts';
import { importInWorker, ImportWorkerError } from '../../ops/import/worker.ts';
import { openDatabase } from '../../store/database.ts';
import { checkKeyringMatches } from '../../store/keyring-check.ts';
import { migrateToLatest } from '../../store/migrate.ts';

const usage = `usage: playerpass import <members|wrap|status> [options]
  members FILE [--rejects FILE] [--batch N]
             import a legacy member export (format: shared/data/README.md). Bad rows go to the
             reject report (default FILE.rejects.csv: line, legacy_id, reason; no personal data).
             A re-run skips members already imported, so an interrupted import just resumes.
  wrap [--concurrency N] [--limit N]
             replace the imported legacy hashes (held encrypted meanwhile) by argon2id; resumable,
             and the server also does it while idle. Members can sign in all along.
  status     imported members and legacy passwords still waiting for wrap`;

const options = {
  rejects: { type: 'string' },
  batch: { type: 'string' },
  concurrency: { type: 'string' },
  limit: { type: 'string' },
} as const;

class ImportUsageError extends Error {
  override name = 'ImportUsageError';
}

/** `playerpass import …`: 0 when done, 1 when interrupted or the file is unreadable, 2 on bad usage. */
export async function importCommand(args: string[], print: (line: string) => void, progressOut: NodeJS.WriteStream = process.stderr): Promise<number> {
  const [verb = '', ...rest] = args;
  let parsed: { file: string | undefined; rejects: string | undefined; batch: number | undefined; concurrency: number | undefined; limit: number | undefined };
  try {
    if (!['members', 'wrap', 'status'].includes(verb)) throw new ImportUsageError(`unknown import command "${verb}"`);
    const { values, positionals } = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
    if (verb === 'members' && positionals.length !== 1) throw new ImportUsageError('members needs exactly one FILE');
    if (verb !== 'members' && positionals.length > 0) throw new ImportUsageError(`${verb} takes no file`);
    if (verb === 'members' && !existsSync(positionals[0]!)) throw new ImportUsageError(`no such file: ${positionals[0]}`);
    parsed = {
      file: positionals[0],
      rejects: values.rejects,
      batch: positive(values.batch, '--batch'),
      concurrency: positive(values.concurrency, '--concurrency'),
      limit: positive(values.limit, '--limit'),
    };
  } catch (error) {
    print(`playerpass import: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }

  const config = loadConfig();
  const services = await openLegacyImport(config, createLogger('warn'));
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    progressOut.write('\nstopping after the work in hand (again to quit at once)…\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  try {
    if (verb === 'members') return await members(config, services.legacyImport, parsed.file!, parsed, stop.signal, print, progressOut);
    if (verb === 'wrap') return await wrap(services.legacyImport, parsed, stop.signal, print, progressOut, config.hashConcurrency);
    const status = await services.legacyImport.status();
    print(`imported members: ${status.imported}`);
    print(`legacy passwords waiting for wrap: ${status.pending}`);
    for (const [scheme, count] of Object.entries(status.passwordsBySchemes).sort()) print(`  passwords ${scheme}: ${count}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    await services.close();
  }
}

/**
 * What the import needs and no more: the database, keys, hasher and audit trail, without the HTTP
 * app's modules (the full service graph would add some 80 MB to a process that must stay small).
 */
export async function openLegacyImport(config: Readonly<Config>, logger: Logger): Promise<{ legacyImport: LegacyImport; close(): Promise<void> }> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const { keyring, created } = loadKeyring({ keysJson: config.keys, keyFile: config.keyFile });
    if (created) logger.warn({ keyFile: created }, 'created a new key file: back it up and keep it apart from the database');
    await checkKeyringMatches(database.db, keyring);
    const hashQueue = createWorkQueue(config.hashConcurrency, config.hashQueueMax);
    const legacyImport = createLegacyImport({
      db: database.db,
      cipher: createFieldCipher(keyring),
      index: createBlindIndex(keyring),
      keyring,
      hasher: await createPasswordHasher(config.argon2, keyring, hashQueue),
      hashQueue,
      clock: systemClock,
      audit: createAuditTrail(database.db, keyring, systemClock, logger),
      logger,
    });
    return { legacyImport, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function members(
  config: Readonly<Config>,
  legacyImport: LegacyImport,
  file: string,
  parsed: { rejects: string | undefined; batch: number | undefined },
  signal: AbortSignal,
  print: (line: string) => void,
  out: NodeJS.WriteStream,
): Promise<number> {
  const progress = createProgress({ label: 'import', unit: 'rows', out });
  let summary;
  try {
    summary = await importInWorker(config, {
      file,
      ...(parsed.rejects ? { rejectsFile: parsed.rejects } : {}),
      ...(parsed.batch ? { batchSize: parsed.batch } : {}),
      signal,
      onProgress: (p) => progress.update(p.rows, p.bytes / Math.max(1, p.totalBytes), `imported ${p.imported}  skipped ${p.skipped}  rejected ${p.rejected}`),
    });
  } catch (error) {
    // A broken file (a runaway quote, not a member export at all): say where, keep what is in.
    if (!(error instanceof ImportWorkerError) || !['CsvError', 'HeaderError'].includes(error.name)) throw error;
    print(`playerpass import: ${error.message} (rows before it are imported; fix the file and run again)`);
    return 1;
  }
  await legacyImport.recordRun(summary);
  progress.finish(summary.rows, summary.bytes / Math.max(1, summary.totalBytes), `in ${duration(summary.elapsedMs / 1000)}`);
  print(`${summary.interrupted ? 'interrupted' : 'done'}: ${summary.rows} rows, ${summary.imported} imported, ${summary.skipped} already imported, ${summary.rejected} rejected`);
  for (const [reason, count] of Object.entries(summary.rejectReasons).sort()) print(`  rejected ${reason}: ${count}`);
  if (summary.renamed > 0) print(`  display names made unique or repaired: ${summary.renamed}`);
  if (summary.createdAtDefaulted > 0) print(`  created_at missing or invalid (import time used): ${summary.createdAtDefaulted}`);
  if (summary.withoutPassword > 0) print(`  members without a password (they sign in after a password reset): ${summary.withoutPassword}`);
  print(`reject report: ${summary.rejectsFile}`);
  const pending = await legacyImport.wrap.remaining();
  if (pending > 0) print(`${pending} legacy passwords wait for wrapping: run "playerpass import wrap" (members can sign in meanwhile)`);
  if (summary.interrupted) print('run the same command again to resume');
  return summary.interrupted ? 1 : 0;
}

async function wrap(
  legacyImport: LegacyImport,
  parsed: { concurrency: number | undefined; limit: number | undefined },
  signal: AbortSignal,
  print: (line: string) => void,
  out: NodeJS.WriteStream,
  defaultConcurrency: number,
): Promise<number> {
  const total = Math.min(await legacyImport.wrap.remaining(), parsed.limit ?? Number.POSITIVE_INFINITY);
  if (total === 0) {
    print('nothing to wrap');
    return 0;
  }
  const progress = createProgress({ label: 'wrap', unit: 'hashes', out });
  const result = await legacyImport.wrap.run({
    concurrency: parsed.concurrency ?? defaultConcurrency,
    ...(parsed.limit ? { limit: parsed.limit } : {}),
    shouldContinue: () => !signal.aborted,
    onProgress: (p) => progress.update(p.wrapped, (p.wrapped + p.failed) / total, p.failed > 0 ? `failed ${p.failed}` : undefined),
  });
  progress.finish(result.wrapped, (result.wrapped + result.failed) / total);
  const remaining = await legacyImport.wrap.remaining();
  print(`wrapped ${result.wrapped}${result.failed > 0 ? `, ${result.failed} failed (see the log)` : ''}; ${remaining} remain`);
  return remaining === 0 || parsed.limit ? 0 : 1;
}

function positive(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new ImportUsageError(`${name} must be a positive whole number, not "${text}"`);
  return value;
}
