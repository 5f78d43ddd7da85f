import type { Clock } from '../../domain/clock.ts';
import type { ClaimedDelivery, DeliveryRepository } from './deliveries.ts';
import { checkWebhookUrl } from './registry.ts';
import { signWebhook } from './signature.ts';
import { createDrainingWorker, type DrainingWorker } from '../draining-worker.ts';

export interface WebhookLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WebhookDispatcherDeps {
  deliveries: DeliveryRepository;
  clock: Clock;
  logger: WebhookLogger;
  pollMs: number;
  allowHttp: boolean;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The outbox workers' life cycle (../draining-worker.ts); `drain` resolves to how many were delivered. */
export type WebhookDispatcher = DrainingWorker;

export const LEASE_MS = 60_000;
export const BATCH_SIZE = 10;
export const MAX_ATTEMPTS = 8;
export const TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 5_000;
/** A claimed delivery is sent only while at least this much of its lease is left, so it is never sent twice. */
const LEASE_MARGIN_MS = LEASE_MS / 2;

/** How long to wait after failed attempt number `attempt` (1-based): 5 s, 10 s, 20 s, … */
export function retryDelayMs(attempt: number): number {
  return FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1);
}

function describeError(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (e?.name === 'TimeoutError') return 'timed out';
  const cause = e?.cause ? ` (${String(e.cause.code ?? e.cause.message ?? '')})` : '';
  return `${typeof e?.message === 'string' ? e.message : String(error)}${cause}`.slice(0, 500);
}

export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const { deliveries, clock, logger } = deps;
  const post = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? TIMEOUT_MS;


  async function send(delivery: ClaimedDelivery): Promise<{ status: number | null; error?: string; permanent?: boolean }> {
    // Checked again at delivery: turning http:// off again stops deliveries to http:// receivers.
    const urlProblem = checkWebhookUrl(delivery.url, deps.allowHttp);
    if (urlProblem) return { status: null, error: urlProblem, permanent: true };
    const timestamp = String(Math.floor(clock.now() / 1000));
    try {
      const response = await post(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'playerpass-webhooks/1',
          'playerpass-event': delivery.eventType,
          'playerpass-delivery': delivery.id,
          'playerpass-timestamp': timestamp,
          'playerpass-signature': signWebhook(delivery.secret, timestamp, delivery.payload),
        },
        body: delivery.payload,
        // A redirect could point the signed event anywhere: it counts as a failure.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.status >= 200 && response.status < 300 ? { status: response.status } : { status: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      return { status: null, error: describeError(error) };
    }
  }

  async function deliver(delivery: ClaimedDelivery): Promise<boolean> {
    const where = { deliveryId: delivery.id, webhookId: delivery.webhookId, event: delivery.eventType, attempts: delivery.attempts };
    const result = await send(delivery);
    if (result.error === undefined && result.status !== null) {
      await deliveries.markDelivered(delivery.id, result.status, clock.now());
      logger.info({ ...where, status: result.status }, 'webhook delivered');
      return true;
    }
    const failure = { status: result.status, error: result.error ?? 'no answer' };
    if (delivery.attempts >= MAX_ATTEMPTS || result.permanent) {
      await deliveries.markFailed(delivery.id, failure, undefined);
      logger.error({ ...where, ...failure }, 'webhook delivery abandoned');
    } else {
      const nextAttemptAt = clock.now() + retryDelayMs(delivery.attempts);
      await deliveries.markFailed(delivery.id, failure, nextAttemptAt);
      logger.warn({ ...where, ...failure, nextAttemptAt }, 'webhook not delivered, will retry');
    }
    return false;
  }

  async function drainNow(stopping: () => boolean): Promise<number> {
    let delivered = 0;
    while (!stopping()) {
      const claimedAt = clock.now();
      const batch = await deliveries.claimDue(claimedAt, LEASE_MS, BATCH_SIZE);
      if (batch.length === 0) break;
      // One slow receiver must not hold up the others: the batch goes out at once, each request
      // bounded by the timeout, well inside the lease.
      const results = await Promise.all(batch.map((delivery) => (clock.now() > claimedAt + LEASE_MS - LEASE_MARGIN_MS ? false : deliver(delivery))));
      delivered += results.filter(Boolean).length;
    }
    return delivered;
  }

  return createDrainingWorker({
    pollMs: deps.pollMs,
    drainOnce: drainNow,
    onError: (error) => logger.error({ error: describeError(error) }, 'webhook drain failed'),
  });
}
