import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';

/** Writes one bench's figures, with the machine they came from, to bench/results/<name>.json. */
export function recordResult(name: string, figures: Record<string, unknown>): void {
  mkdirSync('bench/results', { recursive: true });
  const result = { name, at: new Date().toISOString(), cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, ...figures };
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
}
