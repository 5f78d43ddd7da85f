import type { Clock } from '../domain/clock.ts';
import type { ClaimedMail, OutboxRepository } from '../store/outbox.ts';
import { renderMail, TemplateError, type RenderedMail } from './templates/index.ts';
import type { MailTransport } from './transports/transport.ts';
import { createDrainingWorker, type DrainingWorker } from '../ops/draining-worker.ts';

export interface MailLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface MailDispatcherDeps {
  outbox: OutboxRepository;
  transport: MailTransport;
  clock: Clock;
  from: string;
  productName: string;
  publicUrl: string;
  pollMs: number;
  logger: MailLogger;
}

/** The outbox workers' life cycle (src/ops/draining-worker.ts); `drain` resolves to how many mails were sent. */
export type MailDispatcher = DrainingWorker;

export const LEASE_MS = 60_000;
export const BATCH_SIZE = 20;
export const MAX_ATTEMPTS = 8;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 60 * 60_000;
/** A claimed mail is sent only while at least this much of its lease is left, so it is never sent twice. */
const LEASE_MARGIN_MS = LEASE_MS / 2;

/** How long to wait after failed attempt number `attempt` (1-based). */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1), MAX_RETRY_MS);
}

/** An error as text for logs and the outbox, with any mail address taken out. */
function describeError(error: unknown): string {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown } | null;
  const parts = [e?.code, e?.responseCode, typeof e?.message === 'string' ? e.message : String(error)];
  return parts
    .filter((part) => part !== undefined && part !== null && part !== '')
    .join(' ')
    .replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '[address]')
    .slice(0, 500);
}

function formatFrom(from: string, productName: string): string {
  return from.includes('<') ? from : `"${productName.replace(/["\\]/g, '')}" <${from}>`;
}

export function createMailDispatcher(deps: MailDispatcherDeps): MailDispatcher {
  const { outbox, transport, clock, logger } = deps;
  const context = { productName: deps.productName, publicUrl: deps.publicUrl };
  const from = formatFrom(deps.from, deps.productName);


  async function deliver(mail: ClaimedMail): Promise<boolean> {
    const where = { outboxId: mail.id, template: mail.template, attempts: mail.attempts };
    let rendered: RenderedMail;
    try {
      rendered = renderMail(mail.template, mail.data, context);
    } catch (error) {
      // Rendering is deterministic: an unknown template or missing data will not fix itself.
      const message = error instanceof TemplateError ? error.message : describeError(error);
      await outbox.markFailed(mail.id, message, undefined);
      logger.error({ ...where, error: message }, 'mail cannot be rendered, abandoned');
      return false;
    }
    try {
      await transport.send({ id: mail.id, from, to: mail.to, ...rendered });
    } catch (error) {
      const message = describeError(error);
      if (mail.attempts >= MAX_ATTEMPTS) {
        await outbox.markFailed(mail.id, message, undefined);
        logger.error({ ...where, error: message }, 'mail abandoned after repeated failures');
      } else {
        const nextAttemptAt = clock.now() + retryDelayMs(mail.attempts);
        await outbox.markFailed(mail.id, message, nextAttemptAt);
        logger.warn({ ...where, error: message, nextAttemptAt }, 'mail not sent, will retry');
      }
      return false;
    }
    await outbox.markSent(mail.id, clock.now());
    logger.info(where, 'mail sent');
    return true;
  }

  async function drainNow(stopping: () => boolean): Promise<number> {
    let sent = 0;
    while (!stopping()) {
      const claimedAt = clock.now();
      const batch = await outbox.claimDue(claimedAt, LEASE_MS, BATCH_SIZE);
      if (batch.length === 0) break;
      for (const mail of batch) {
        // A slow server may eat the lease; a mail whose lease is nearly gone is left to be claimed
        // again rather than risk a second worker sending it too.
        if (clock.now() > claimedAt + LEASE_MS - LEASE_MARGIN_MS) break;
        if (await deliver(mail)) sent += 1;
      }
    }
    return sent;
  }

  return createDrainingWorker({
    pollMs: deps.pollMs,
    drainOnce: drainNow,
    onError: (error) => logger.error({ error: describeError(error) }, 'mail drain failed'),
  });
}
