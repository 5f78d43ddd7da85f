import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Config } from '../../config/load.ts';
import type { ImportOptions, ImportProgress, ImportSummary } from './importer.ts';

/**
 * Runs `importMembers` on a worker thread whose young generation is capped at 16 MB.
 *
 * Why: an import allocates fast and keeps each batch alive across a few scavenges, so V8 keeps
 * doubling the young generation of the thread doing it, up to 64 MB and more, and an import process
 * peaked above 300 MB. On a worker, `resourceLimits` bounds it (the same as
 * `--max-semi-space-size=8` for a whole process), which halves the import's memory, at no cost in
 * speed. The worker opens its own database connection and keys; the caller's thread keeps progress,
 * Ctrl-C and the summary.
 */
interface WorkerInput {
  kind: 'playerpass-import';
  config: Readonly<Config>;
  options: Omit<ImportOptions, 'onProgress' | 'signal'>;
}

type WorkerMessage =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; summary: ImportSummary }
  | { type: 'error'; name: string; message: string };

/** An error thrown inside the worker, by its name (`CsvError`, …) and message. */
export class ImportWorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export async function importInWorker(config: Readonly<Config>, options: ImportOptions): Promise<ImportSummary> {
  const { onProgress, signal, ...plain } = options;
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { kind: 'playerpass-import', config, options: plain } satisfies WorkerInput,
    resourceLimits: { maxYoungGenerationSizeMb: 16 },
  });
  const abort = () => worker.postMessage('abort');
  signal?.addEventListener('abort', abort, { once: true });
  try {
    return await new Promise<ImportSummary>((resolve, reject) => {
      let settled = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') onProgress?.(message.progress);
        else if (message.type === 'done') {
          settled = true;
          resolve(message.summary);
        } else {
          settled = true;
          reject(new ImportWorkerError(message.name, message.message));
        }
      });
      worker.on('error', (error) => {
        settled = true;
        reject(error);
      });
      worker.on('exit', (code) => {
        if (!settled) reject(new Error(`the import worker stopped (exit code ${code})`));
      });
    });
  } finally {
    signal?.removeEventListener('abort', abort);
    await worker.terminate();
  }
}

async function runWorker(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const [{ createBlindIndex }, { createFieldCipher }, { loadKeyring }, { createLegacyVault }, { systemClock }, { openDatabase }, { importMembers }] = await Promise.all([
    import('../../crypto/blind-index.ts'),
    import('../../crypto/field-cipher.ts'),
    import('../../crypto/keyring.ts'),
    import('../../crypto/legacy-vault.ts'),
    import('../../domain/clock.ts'),
    import('../../store/database.ts'),
    import('./importer.ts'),
  ]);
  const { config } = input;
  // The caller has migrated the database and checked the keyring against it.
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  const stop = new AbortController();
  port.on('message', (message) => message === 'abort' && stop.abort());
  try {
    const { keyring } = loadKeyring({ keysJson: config.keys, keyFile: config.keyFile });
    const summary = await importMembers(
      { db: database.db, cipher: createFieldCipher(keyring), index: createBlindIndex(keyring), vault: createLegacyVault(keyring), clock: systemClock },
      { ...input.options, signal: stop.signal, onProgress: (progress) => port.postMessage({ type: 'progress', progress: { ...progress } } satisfies WorkerMessage) },
    );
    port.postMessage({ type: 'done', summary } satisfies WorkerMessage);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'error', name: e.name, message: e.message } satisfies WorkerMessage);
  } finally {
    await database.close();
    port.close();
  }
}

if (!isMainThread && (workerData as WorkerInput | undefined)?.kind === 'playerpass-import') await runWorker(workerData as WorkerInput);
