import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { RejectReason } from './row-validate.ts';

/**
 * The reject report: CSV `line,legacy_id,reason`, one row per rejected input row, in line order. It
 * never holds emails, names or hashes, so it can be mailed around; legacy ids that do not look like
 * ids are left out (see LEGACY_ID in row-validate.ts). Rewritten on every run: a re-run of the same
 * file reports the same rows again.
 */
export interface RejectEntry {
  line: number;
  legacyId: string;
  reason: RejectReason;
}

export interface RejectReport {
  path: string;
  /** Appends entries (sorted by line within the call). */
  write(entries: RejectEntry[]): Promise<void>;
  close(): Promise<void>;
}

export async function openRejectReport(path: string): Promise<RejectReport> {
  const stream: WriteStream = createWriteStream(path, { flags: 'w', mode: 0o600 });
  await once(stream, 'open');
  stream.write('line,legacy_id,reason\n');
  return {
    path,
    async write(entries) {
      if (entries.length === 0) return;
      const text = entries
        .sort((a, b) => a.line - b.line)
        .map((entry) => `${entry.line},${entry.legacyId},${entry.reason}\n`)
        .join('');
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async close() {
      stream.end();
      await once(stream, 'finish');
    },
  };
}
