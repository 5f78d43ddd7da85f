import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Clock } from '../../domain/clock.ts';
import { PassError } from '../../domain/errors.ts';
import type { Tables } from '../../store/tables.ts';
import {
  CAPABILITY_MESSAGE_MAX,
  CAPABILITY_NAMES,
  createSwitchStore,
  isCapabilityName,
  isCapabilityState,
  type CapabilityActor,
  type CapabilityName,
  type CapabilityState,
  type SwitchRecord,
} from './switches.ts';

export { CAPABILITY_NAMES, CAPABILITY_STATES, type CapabilityActor, type CapabilityName, type CapabilityState } from './switches.ts';

/** Every node listens here; a message only says "read the switches again", so it carries no state. */
export const CAPABILITY_CHANNEL = 'playerpass:capabilities';
/** What a refused request is told to wait: maintenance is measured in minutes. */
export const CAPABILITY_RETRY_AFTER_SECONDS = 300;
const DEFAULT_REFRESH_MS = 1000;

/** `write` changes something; `read` only looks (still allowed while the capability is read-only). */
export type CapabilityMode = 'write' | 'read';

export interface CapabilityStatus {
  name: CapabilityName;
  state: CapabilityState;
  /** The operator's public message, while the capability is not on. */
  message: string | undefined;
  updatedAt: number | undefined;
  updatedBy: string | undefined;
}

/**
 * The maintenance switches as a flow sees them. Reads are synchronous against an in-memory cache,
 * so the hot path does no I/O; the cache is refreshed from the database at least every second and,
 * with Redis, at once when any node changes a switch.
 */
export interface Capabilities {
  state(name: CapabilityName): CapabilityState;
  message(name: CapabilityName): string | undefined;
  /** Every capability, in the status page's order. */
  snapshot(): CapabilityStatus[];
  /** Throws `capability_offline` (503, Retry-After, the operator's message) unless the capability allows `mode`. */
  require(name: CapabilityName, mode: CapabilityMode): void;
  /** Writes the switch, tells every node and updates this one. `message` is ignored when turning it on. */
  set(name: CapabilityName, state: CapabilityState, message: string | undefined, actor: CapabilityActor): Promise<void>;
  /** Loads the switches (failing if the database cannot be read), then keeps them fresh. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface CapabilityLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export class CapabilityInputError extends Error {
  override name = 'CapabilityInputError';
}

export function createCapabilities(deps: {
  db: Kysely<Tables>;
  redis?: Redis | undefined;
  clock: Clock;
  logger: CapabilityLogger;
  /** How often the database is read again: 1000 ms, so a change arrives within a second even without Redis (tests may differ). */
  refreshMs?: number;
}): Capabilities {
  const store = createSwitchStore(deps.db);
  const refreshMs = deps.refreshMs ?? DEFAULT_REFRESH_MS;
  let cache = new Map<CapabilityName, SwitchRecord>();
  // Refreshes can overlap (timer, pub/sub, set): the one started last wins, whatever order they end in.
  let started = 0;
  let applied = 0;
  let timer: NodeJS.Timeout | undefined;
  let subscriber: Redis | undefined;
  let stopped = false;

  async function refresh(): Promise<void> {
    const sequence = ++started;
    const records = await store.list();
    if (sequence < applied) return;
    applied = sequence;
    cache = new Map(records.map((record) => [record.name, record]));
  }

  function refreshQuietly(): Promise<void> {
    return refresh().catch((error: unknown) => {
      if (!stopped) deps.logger.warn({ err: { message: (error as Error).message } }, 'could not read the capability switches; keeping the last known state');
    });
  }

  function status(name: CapabilityName): CapabilityStatus {
    const record = cache.get(name);
    const state = record?.state ?? 'on';
    return {
      name,
      state,
      message: state === 'on' ? undefined : (record?.message ?? undefined),
      updatedAt: record?.updatedAt,
      updatedBy: record?.updatedBy ?? undefined,
    };
  }

  return {
    state: (name) => status(name).state,
    message: (name) => status(name).message,
    snapshot: () => CAPABILITY_NAMES.map(status),

    require(name, mode) {
      const { state, message } = status(name);
      if (state === 'on' || (state === 'read_only' && mode === 'read')) return;
      throw new PassError('capability_offline', { ...(message ? { message } : {}), retryAfterSeconds: CAPABILITY_RETRY_AFTER_SECONDS });
    },

    async set(name, state, message, actor) {
      if (!isCapabilityName(name)) throw new CapabilityInputError(`unknown capability "${name}" (one of ${CAPABILITY_NAMES.join(', ')})`);
      if (!isCapabilityState(state)) throw new CapabilityInputError(`unknown state "${state}" (on, off or read_only)`);
      const text = message?.trim() ?? '';
      if (text.length > CAPABILITY_MESSAGE_MAX) throw new CapabilityInputError(`the message is longer than ${CAPABILITY_MESSAGE_MAX} characters`);
      const record: SwitchRecord = { name, state, message: state === 'on' || text === '' ? null : text, updatedAt: deps.clock.now(), updatedBy: actor };
      await store.write(record);
      deps.logger.info({ capability: name, state, actor }, 'capability switched');
      cache = new Map(cache).set(name, record);
      if (deps.redis) {
        // The database already holds the change: without the message, other nodes see it on their next refresh.
        await deps.redis.publish(CAPABILITY_CHANNEL, name).catch((error: unknown) => {
          deps.logger.warn({ err: { message: (error as Error).message } }, 'could not announce a capability change; other nodes see it within a second');
        });
      }
      await refreshQuietly();
    },

    async start() {
      stopped = false;
      await refresh();
      timer = setInterval(() => void refreshQuietly(), refreshMs);
      timer.unref();
      if (deps.redis) {
        subscriber = deps.redis.duplicate();
        subscriber.on('error', (error: Error) => deps.logger.warn({ err: { message: error.message } }, 'redis error (capability subscriber)'));
        subscriber.on('message', (channel: string) => {
          if (channel === CAPABILITY_CHANNEL) void refreshQuietly();
        });
        // After a reconnect, messages sent while away are lost: read the switches again.
        subscriber.on('ready', () => void refreshQuietly());
        await subscriber.subscribe(CAPABILITY_CHANNEL);
      }
    },

    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}
