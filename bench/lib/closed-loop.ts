/**
 * Small helpers shared by the benches: a closed-loop load generator with a bounded number of
 * requests in flight, latency percentiles, RSS sampling and a Markdown table.
 */

export interface LoadResult {
  /** Requests that finished (any status) inside the measured time. */
  requests: number;
  /** Requests that got the expected status. */
  ok: number;
  /** Status code → count, for everything that was not the expected status (or threw). */
  errors: Record<string, number>;
  /** Milliseconds of each expected-status request. */
  latenciesMs: number[];
  elapsedMs: number;
  /** Highest resident set size seen while the load ran, in bytes. */
  maxRssBytes: number;
}

/**
 * Runs `request(i)` with `concurrency` calls in flight until `durationMs` has passed (requests
 * started before the deadline are waited for and counted). `request` resolves to the status code.
 */
export async function runLoad(options: {
  concurrency: number;
  durationMs: number;
  expectStatus: number;
  request: (i: number) => Promise<number>;
  /** Counter to start `i` from, so successive runs can keep rotating over the same inputs. */
  startAt?: number;
}): Promise<LoadResult & { nextIndex: number }> {
  let next = options.startAt ?? 0;
  const latenciesMs: number[] = [];
  const errors: Record<string, number> = {};
  let requests = 0;
  let maxRssBytes = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    maxRssBytes = Math.max(maxRssBytes, process.memoryUsage.rss());
  }, 100);
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      let status: string;
      try {
        status = String(await options.request(i));
      } catch (error) {
        status = (error as Error).name || 'error';
      }
      requests += 1;
      if (status === String(options.expectStatus)) latenciesMs.push(performance.now() - t0);
      else errors[status] = (errors[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  clearInterval(sampler);
  maxRssBytes = Math.max(maxRssBytes, process.memoryUsage.rss());
  return { requests, ok: latenciesMs.length, errors, latenciesMs, elapsedMs, maxRssBytes, nextIndex: next };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A whole positive number from the environment, or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}
