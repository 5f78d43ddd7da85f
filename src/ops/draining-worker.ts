/**
 * The life cycle shared by the outbox workers (mail, webhooks): drain every due item, on a timer
 * every `pollMs` (first right away) and whenever kicked. Drains never run concurrently: one asked
 * for while another runs becomes a single follow-up shared by everyone who asks meanwhile, which
 * picks up whatever was queued after the running drain last looked. Timers never keep the process
 * alive; `stop` waits for the drain in hand.
 */
export interface DrainingWorker {
  start(): void;
  stop(): Promise<void>;
  /** Wakes a started worker to drain now (e.g. right after an item was queued). No-op when not started. */
  kick(): void;
  /** Drains now; resolves to how many items went out. */
  drain(): Promise<number>;
}

export function createDrainingWorker(options: {
  pollMs: number;
  /** One drain: claims and handles batches until none is due or `stopping()` says to stop. */
  drainOnce: (stopping: () => boolean) => Promise<number>;
  onError: (error: unknown) => void;
}): DrainingWorker {
  let running: Promise<number> | undefined;
  let queued: Promise<number> | undefined;
  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  function runExclusive(): Promise<number> {
    const run = options.drainOnce(() => stopping).finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  }

  function drain(): Promise<number> {
    // While a follow-up is pending, it is the answer: starting a drain in the gap between the
    // running one settling and the follow-up starting would run two at once.
    if (queued) return queued;
    if (!running) return runExclusive();
    queued ??= running
      .catch(() => 0)
      .then(() => {
        queued = undefined;
        return runExclusive();
      });
    return queued;
  }

  function drainAndLog(): Promise<void> {
    return drain().then(() => undefined, options.onError);
  }

  function schedule(delayMs: number): void {
    if (!started) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void drainAndLog().finally(() => {
        if (timer === undefined) schedule(options.pollMs);
      });
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      timer = undefined;
      stopping = true;
      try {
        await Promise.allSettled([running, queued]);
      } finally {
        stopping = false;
      }
    },
    kick() {
      if (started) void drainAndLog();
    },
    drain,
  };
}
