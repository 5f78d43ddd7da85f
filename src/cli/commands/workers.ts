import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { ConfigError, type Config } from '../../config/load.ts';

/**
 * `serve --workers N`: N processes of this node sharing one port (node:cluster). Everything a
 * process keeps is a cache of the store or Redis, so they need Redis to share rate limits, session
 * invalidations and switch changes; without it more than one worker is refused.
 */
export function parseWorkers(args: string[]): number {
  const index = args.indexOf('--workers');
  if (index < 0) return 1;
  const raw = args[index + 1] ?? '';
  const count = raw === 'auto' ? availableParallelism() : Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new ConfigError(`--workers takes a number from 1 to 64 or "auto", got "${raw}"`);
  return count;
}

/** In the primary: forks the workers, replaces any that crash, passes SIGTERM/SIGINT on. */
export function superviseWorkers(count: number, config: Readonly<Config>, log: (message: string) => void): void {
  if (count > 1 && !config.redisUrl) throw new ConfigError('--workers above 1 needs PLAYERPASS_REDIS_URL, so the workers share limits, sessions and switches');
  let stopping = false;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(() => cluster.fork(), 1_000);
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export const isWorkerPrimary = (count: number) => count > 1 && cluster.isPrimary;
