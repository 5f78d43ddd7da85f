import type { Kysely } from 'kysely';
import type { FieldCipher } from '../../crypto/field-cipher.ts';
import { randomId } from '../../crypto/random.ts';
import type { Tables, WebhookDeliveryRow } from '../../store/tables.ts';
import { secretContext } from './registry.ts';

export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  eventType: string;
  payload: string;
  /** 1 on the first try. */
  attempts: number;
  url: string;
  secret: string;
}

/** The webhook outbox: one row per event and webhook, leased to one worker at a time. */
export interface DeliveryRepository {
  enqueue(delivery: { webhookId: string; eventId: string; eventType: string; payload: string }, now: number): Promise<string>;
  /** Leases up to `limit` due deliveries (queued, or sending with an expired lease) to this worker. */
  claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  markDelivered(id: string, status: number, now: number): Promise<void>;
  /** Back to queued for `nextAttemptAt`, or abandoned when that is undefined. */
  markFailed(id: string, failure: { status: number | null; error: string }, nextAttemptAt: number | undefined): Promise<void>;
  counts(): Promise<Record<WebhookDeliveryRow['status'], number>>;
}

export function createDeliveryRepository(db: Kysely<Tables>, cipher: FieldCipher): DeliveryRepository {
  const repository: DeliveryRepository = {
    async enqueue(delivery, now) {
      const id = randomId();
      await db
        .insertInto('webhook_deliveries')
        .values({
          id,
          webhook_id: delivery.webhookId,
          event_id: delivery.eventId,
          event_type: delivery.eventType,
          payload: delivery.payload,
          status: 'queued',
          attempts: 0,
          next_attempt_at: now,
          lease_until: null,
          last_status: null,
          last_error: null,
          created_at: now,
          delivered_at: null,
        })
        .execute();
      return id;
    },
    async claimDue(now, leaseMs, limit) {
      const due = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
        .select(['d.id', 'd.webhook_id', 'd.event_type', 'd.payload', 'd.status', 'd.attempts', 'w.url', 'w.secret_ct', 'w.disabled_at'])
        .where((eb) =>
          eb.or([
            eb.and([eb('d.status', '=', 'queued'), eb('d.next_attempt_at', '<=', now)]),
            eb.and([eb('d.status', '=', 'sending'), eb('d.lease_until', '<', now)]),
          ]),
        )
        .orderBy('d.next_attempt_at')
        .limit(limit)
        .execute();
      const claimed: ClaimedDelivery[] = [];
      for (const row of due) {
        // Only one worker wins the row: the update matches only if nobody leased it meanwhile.
        const result = await db
          .updateTable('webhook_deliveries')
          .set({ status: 'sending', lease_until: now + leaseMs, attempts: row.attempts + 1 })
          .where('id', '=', row.id)
          .where('attempts', '=', row.attempts)
          .where('status', '=', row.status)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) continue;
        if (row.disabled_at !== null) {
          await repository.markFailed(row.id, { status: null, error: 'webhook removed' }, undefined);
          continue;
        }
        let secret: string;
        try {
          secret = cipher.decrypt(row.secret_ct, secretContext(row.webhook_id));
        } catch {
          // An unreadable secret never becomes readable: abandon rather than block the queue.
          await repository.markFailed(row.id, { status: null, error: 'unreadable webhook secret' }, undefined);
          continue;
        }
        claimed.push({ id: row.id, webhookId: row.webhook_id, eventType: row.event_type, payload: row.payload, attempts: row.attempts + 1, url: row.url, secret });
      }
      return claimed;
    },
    async markDelivered(id, status, now) {
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'delivered', delivered_at: now, lease_until: null, last_status: status, last_error: null })
        .where('id', '=', id)
        .execute();
    },
    async markFailed(id, failure, nextAttemptAt) {
      const common = { lease_until: null, last_status: failure.status, last_error: failure.error.slice(0, 500) };
      await db
        .updateTable('webhook_deliveries')
        .set(nextAttemptAt === undefined ? { ...common, status: 'abandoned' } : { ...common, status: 'queued', next_attempt_at: nextAttemptAt })
        .where('id', '=', id)
        .execute();
    },
    async counts() {
      const rows = await db.selectFrom('webhook_deliveries').select(['status', db.fn.countAll<number>().as('n')]).groupBy('status').execute();
      const counts = { queued: 0, sending: 0, delivered: 0, abandoned: 0 };
      for (const row of rows) counts[row.status] = Number(row.n);
      return counts;
    },
  };
  return repository;
}
