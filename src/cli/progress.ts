/**
 * Progress of a long operator command: a redrawn bar on a terminal, a plain line every few seconds
 * otherwise (logs, pipes, CI), so the output stays readable in both.
 */
export interface Progress {
  update(done: number, total?: number): void;
  /** Ends the bar with one final line. */
  finish(line: string): void;
}

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

const WIDTH = 28;
const TTY_EVERY_MS = 100;
const PLAIN_EVERY_MS = 2000;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** `label [#####-----] 3000/6000  50%  1200/s  ETA 0:02` (bar and ETA only with a known total). */
export function progressLine(label: string, done: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const rateText = `${Math.round(rate)}/s`;
  if (total === undefined || total <= 0) return `${label} ${done}  ${rateText}`;
  const share = Math.min(1, done / total);
  const filled = Math.round(share * WIDTH);
  const eta = rate > 0 ? formatDuration(((total - done) / rate) * 1000) : '?';
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} ${String(Math.floor(share * 100)).padStart(3)}%  ${rateText}  ETA ${eta}`;
}

export function createProgress(label: string, out: ProgressOutput = process.stdout, now: () => number = Date.now): Progress {
  const started = now();
  const tty = out.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const at = now();
      const final = total !== undefined && done >= total;
      if (!final && at - last < (tty ? TTY_EVERY_MS : PLAIN_EVERY_MS)) return;
      last = at;
      const line = progressLine(label, done, total, at - started);
      if (tty) {
        out.write(`\r${line}\x1b[K`);
        drawn = true;
      } else {
        out.write(`${line}\n`);
      }
    },
    finish(line) {
      out.write(tty && drawn ? `\r\x1b[K${line}\n` : `${line}\n`);
    },
  };
}
