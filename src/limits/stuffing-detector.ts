import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.ts';
import { ipPrefix } from '../domain/ip-prefix.ts';
import type { Alarms } from '../ops/alarms.ts';

/**
 * Notices credential stuffing: one source failing on many different accounts, or failures across
 * the whole service far above their normal rate. Each raises one alarm per window, not one per try.
 */
export interface StuffingDetector {
  failed(ip: string, accountKey: string): Promise<void>;
}

export interface StuffingThresholds {
  /** Distinct accounts failing from one IP within the window. */
  accountsPerSource: number;
  /** Failed sign-ins across the service within one minute. */
  failuresPerMinute: number;
  windowMs: number;
}

export const defaultStuffingThresholds: StuffingThresholds = { accountsPerSource: 20, failuresPerMinute: 300, windowMs: 10 * 60_000 };

interface Counters {
  /** Adds the account to the source's set for the window; returns the set's size. */
  distinct(key: string, member: string, ttlMs: number): Promise<number>;
  increment(key: string, ttlMs: number): Promise<number>;
  /** True once per key and window: the first caller wins the right to raise the alarm. */
  once(key: string, ttlMs: number): Promise<boolean>;
}

export function createStuffingDetector(deps: { alarms: Alarms; clock: Clock; redis?: Redis | undefined; thresholds?: StuffingThresholds }): StuffingDetector {
  const thresholds = deps.thresholds ?? defaultStuffingThresholds;
  const counters = deps.redis ? redisCounters(deps.redis) : memoryCounters(deps.clock);
  return {
    async failed(ip, accountKey) {
      const now = deps.clock.now();
      const window = Math.floor(now / thresholds.windowMs);
      const minute = Math.floor(now / 60_000);
      const accounts = await counters.distinct(`src:${window}:${ip}`, accountKey, thresholds.windowMs);
      if (accounts >= thresholds.accountsPerSource && (await counters.once(`alarm:src:${window}:${ip}`, thresholds.windowMs))) {
        await deps.alarms.raise({ kind: 'credential_stuffing_source', ipPrefix: ipPrefix(ip), data: { accounts, windowMinutes: thresholds.windowMs / 60_000 } });
      }
      const failures = await counters.increment(`global:${minute}`, 120_000);
      if (failures >= thresholds.failuresPerMinute && (await counters.once(`alarm:global:${minute}`, 120_000))) {
        await deps.alarms.raise({ kind: 'credential_stuffing_rate', data: { failuresPerMinute: failures } });
      }
    },
  };
}

function redisCounters(redis: Redis): Counters {
  const prefix = 'pp:stuffing:';
  return {
    async distinct(key, member, ttlMs) {
      const result = await redis.multi().sadd(prefix + key, member).pexpire(prefix + key, ttlMs).scard(prefix + key).exec();
      return Number(result?.[2]?.[1] ?? 0);
    },
    async increment(key, ttlMs) {
      const result = await redis.multi().incr(prefix + key).pexpire(prefix + key, ttlMs).exec();
      return Number(result?.[0]?.[1] ?? 0);
    },
    async once(key, ttlMs) {
      return (await redis.set(prefix + key, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}

function memoryCounters(clock: Clock): Counters {
  const entries = new Map<string, { expires: number; members?: Set<string>; count: number }>();
  const live = (key: string, ttlMs: number) => {
    const now = clock.now();
    if (entries.size > 10_000) for (const [k, e] of entries) if (e.expires <= now) entries.delete(k);
    let entry = entries.get(key);
    if (!entry || entry.expires <= now) {
      entry = { expires: now + ttlMs, count: 0 };
      entries.set(key, entry);
    }
    return entry;
  };
  return {
    async distinct(key, member, ttlMs) {
      const entry = live(key, ttlMs);
      entry.members ??= new Set();
      entry.members.add(member);
      return entry.members.size;
    },
    async increment(key, ttlMs) {
      return ++live(key, ttlMs).count;
    },
    async once(key, ttlMs) {
      return ++live(key, ttlMs).count === 1;
    },
  };
}
