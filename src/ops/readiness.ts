import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { pendingMigrations } from '../store/migrate.ts';

export type CheckState = 'ok' | 'failing';

export interface Readiness {
  /** Each dependency a node needs to serve: the store, Redis when configured, the schema. */
  check(): Promise<{ ready: boolean; checks: Record<string, CheckState> }>;
}

const CHECK_TIMEOUT_MS = 1_000;

/**
 * What `/readyz` answers. A load balancer takes a node out of rotation while any check fails, so a
 * node whose Redis is gone (its limits would no longer be shared) or whose database lacks a
 * migration this code needs gets no traffic. Once every migration is seen applied it stays so for
 * this process (migrations only ever go forward), so that check stops querying.
 */
export function createReadiness(deps: { ping: () => Promise<void>; db: Kysely<any>; redis?: Redis }): Readiness {
  let schemaCurrent = false;
  const checks: Record<string, () => Promise<void>> = {
    store: deps.ping,
    migrations: async () => {
      if (schemaCurrent) return;
      const pending = await pendingMigrations(deps.db);
      if (pending.length > 0) throw new Error('migrations pending');
      schemaCurrent = true;
    },
  };
  const { redis } = deps;
  if (redis) {
    checks['redis'] = async () => {
      if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
      await redis.ping();
    };
  }
  return {
    async check() {
      const entries = await Promise.all(Object.entries(checks).map(async ([name, run]) => [name, await settled(run)] as const));
      const states = Object.fromEntries(entries);
      return { ready: entries.every(([, state]) => state === 'ok'), checks: states };
    },
  };
}

async function settled(run: () => Promise<void>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([run(), timeout]);
    return 'ok';
  } catch {
    return 'failing';
  } finally {
    clearTimeout(timer);
  }
}
