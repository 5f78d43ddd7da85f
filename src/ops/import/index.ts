import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BlindIndex } from '../../crypto/blind-index.ts';
import type { FieldCipher } from '../../crypto/field-cipher.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { createLegacyVault } from '../../crypto/legacy-vault.ts';
import type { PasswordHasher } from '../../crypto/password-hasher.ts';
import type { WorkQueue } from '../../crypto/work-queue.ts';
import type { Clock } from '../../domain/clock.ts';
import { createLegacyMemberRepository } from '../../store/legacy-members.ts';
import type { Tables } from '../../store/tables.ts';
import type { AuditTrail } from '../audit/trail.ts';
import { importMembers, type ImportOptions, type ImportSummary } from './importer.ts';
import { createIdleWrapper, createWrapJob, type IdleWrapper, type WrapJob } from './wrap-job.ts';

/** The legacy import as services.ts hands it out: the import itself, the wrap job, its idle loop. */
export interface LegacyImport {
  /**
   * In this thread, on this store's connection (tests). On SQLite the import keeps that connection to
   * itself while it runs, so the CLI runs the same import on a worker with a connection of its own
   * (./worker.ts), then calls `recordRun`.
   */
  importMembers(options: ImportOptions): Promise<ImportSummary>;
  /** Puts a run's counts in the audit trail. */
  recordRun(summary: ImportSummary): Promise<void>;
  wrap: WrapJob;
  idleWrapper: IdleWrapper;
  status(): Promise<{ imported: number; pending: number; passwordsBySchemes: Record<string, number> }>;
}

export function createLegacyImport(deps: {
  db: Kysely<Tables>;
  cipher: FieldCipher;
  index: BlindIndex;
  keyring: Keyring;
  hasher: PasswordHasher;
  hashQueue: WorkQueue;
  clock: Clock;
  audit: AuditTrail;
  logger: Logger;
}): LegacyImport {
  const repo = createLegacyMemberRepository(deps.db);
  const wrap = createWrapJob({ repo, hasher: deps.hasher, clock: deps.clock, logger: deps.logger });
  const vault = createLegacyVault(deps.keyring);
  // Counts only: the file name could say more than it should, and the rejects stay in their report.
  const recordRun = (summary: ImportSummary) =>
    deps.audit.record({
      type: 'legacy_import.run',
      data: { rows: summary.rows, imported: summary.imported, skipped: summary.skipped, rejected: summary.rejected, renamed: summary.renamed, interrupted: summary.interrupted },
    });
  return {
    async importMembers(options) {
      const summary = await importMembers({ db: deps.db, cipher: deps.cipher, index: deps.index, vault, clock: deps.clock }, options);
      await recordRun(summary);
      return summary;
    },
    recordRun,
    wrap,
    idleWrapper: createIdleWrapper({ job: wrap, queue: deps.hashQueue, logger: deps.logger }),
    async status() {
      return { imported: await repo.countImported(), pending: await repo.countPending(), passwordsBySchemes: await repo.countBySchemes() };
    },
  };
}
