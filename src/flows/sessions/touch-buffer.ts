import type { SessionRepository } from '../../store/sessions.ts';

/**
 * Last-seen times of sessions, written in the background: a session check notes the time (at most
 * once a minute per session, see authenticate.ts) and goes on; every `flushMs` the noted times are
 * written, one statement per batch. A request never waits on that write, and a burst (a node
 * starting with thousands of busy sessions) costs a handful of statements instead of one commit per
 * session: on PostgreSQL each was a flushed commit, and the queue of them showed as the p99 of
 * session checks. A time not yet written is still seen by this node (`pending`); other nodes see it
 * within `flushMs`; a crash loses at most that much of last-seen precision.
 */
export interface SessionTouches {
  note(sessionId: string, at: number): void;
  /** A time noted for this session and not yet written. */
  pending(sessionId: string): number | undefined;
  flush(): Promise<void>;
  /** Writes what is noted and stops the timer. */
  stop(): Promise<void>;
}

export function createSessionTouches(deps: {
  sessions: Pick<SessionRepository, 'touchMany'>;
  onError: (error: unknown) => void;
  flushMs?: number;
}): SessionTouches {
  let noted = new Map<string, number>();
  let flushing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (noted.size === 0) return flushing;
    const batch = noted;
    noted = new Map();
    const byTime = new Map<number, string[]>();
    for (const [id, at] of batch) byTime.set(at, [...(byTime.get(at) ?? []), id]);
    flushing = flushing
      .then(async () => {
        for (const [at, ids] of byTime) await deps.sessions.touchMany(ids, at);
      })
      .catch(deps.onError);
    return flushing;
  };
  const timer = setInterval(() => void flush(), deps.flushMs ?? 1_000);
  timer.unref();
  return {
    note(sessionId, at) {
      noted.set(sessionId, Math.max(at, noted.get(sessionId) ?? 0));
    },
    pending: (sessionId) => noted.get(sessionId),
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
