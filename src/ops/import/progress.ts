/**
 * Progress for long CLI runs: on a terminal one line redrawn in place (`\r`) at most 5 times a second;
 * otherwise (a log file, CI) a plain line every `plainEveryMs`. Rates are averages since the start,
 * the ETA comes from the fraction done (bytes read for an import, rows for the wrap job).
 */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  update(done: number, fraction: number | undefined, detail?: string): void;
  /** The final figures, on a line of their own. */
  finish(done: number, fraction: number | undefined, detail?: string): void;
}

export function createProgress(options: { label: string; unit: string; out: ProgressOutput; plainEveryMs?: number; now?: () => number }): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const tty = options.out.isTTY === true;
  const every = tty ? 200 : (options.plainEveryMs ?? 5_000);
  let last = started;

  const render = (done: number, fraction: number | undefined, detail: string | undefined) => {
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const rate = done / seconds;
    const parts = [`${options.label}: ${done.toLocaleString('en')} ${options.unit}`, `${Math.round(rate).toLocaleString('en')} ${options.unit}/s`];
    if (fraction !== undefined) {
      parts.push(`${(Math.min(1, fraction) * 100).toFixed(1)}%`);
      if (fraction > 0 && fraction < 1) parts.push(`ETA ${duration((seconds * (1 - fraction)) / fraction)}`);
    }
    if (detail) parts.push(detail);
    return parts.join('  ');
  };

  return {
    update(done, fraction, detail) {
      const t = now();
      if (t - last < every) return;
      last = t;
      const line = render(done, fraction, detail);
      options.out.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
    },
    finish(done, fraction, detail) {
      const line = render(done, fraction, detail);
      options.out.write(tty ? `\r${line}\u001b[K\n` : `${line}\n`);
    },
  };
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
