import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { randomId } from '../crypto/random.ts';
import { normaliseEmail } from '../domain/email.ts';
import type { OutboxRow, Tables } from './tables.ts';

/** A mail waiting to go out: which template, to whom, and the values it is rendered with. */
export interface QueuedMail {
  template: string;
  to: string;
  data: Record<string, string>;
}

export interface ClaimedMail extends QueuedMail {
  id: string;
  attempts: number;
}

/**
 * The mail outbox. A row is written in the same transaction as the change that causes it; the
 * recipient and the values (which hold links with tokens) are stored encrypted, and both are
 * erased once the mail is sent or abandoned (the row stays, for counts and idempotency).
 */
export interface OutboxRepository {
  enqueue(mail: QueuedMail, now: number, idempotencyKey?: string): Promise<void>;
  /** Leases up to `limit` due mails (queued, or sending with an expired lease) to this worker. */
  claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedMail[]>;
  markSent(id: string, now: number): Promise<void>;
  markFailed(id: string, error: string, nextAttemptAt: number | undefined): Promise<void>;
  counts(): Promise<Record<OutboxRow['status'], number>>;
  /** Deletes the mails not yet sent to `address` (any spelling); returns how many. For account deletion. */
  dropUnsentTo(address: string): Promise<number>;
}

/** What a sent or abandoned row keeps instead of its recipient. */
const ERASED = '';

export function createOutboxRepository(db: Kysely<Tables>, cipher: FieldCipher): OutboxRepository {
  const context = (id: string, column: string) => ({ table: 'outbox', column, rowId: id });
  const openRow = (row: OutboxRow): QueuedMail | undefined => {
    if (!row.payload_ct) return undefined;
    try {
      return {
        template: row.template,
        to: cipher.decrypt(row.recipient_ct, context(row.id, 'recipient')),
        data: JSON.parse(cipher.decrypt(row.payload_ct, context(row.id, 'payload'))) as Record<string, string>,
      };
    } catch {
      return undefined;
    }
  };
  return {
    async enqueue(mail, now, idempotencyKey) {
      const id = randomId();
      await db
        .insertInto('outbox')
        .values({
          id,
          idempotency_key: idempotencyKey ?? id,
          template: mail.template,
          recipient_ct: cipher.encrypt(mail.to, context(id, 'recipient')),
          payload_ct: cipher.encrypt(JSON.stringify(mail.data), context(id, 'payload')),
          status: 'queued',
          attempts: 0,
          next_attempt_at: now,
          lease_until: null,
          sent_at: null,
          last_error: null,
          created_at: now,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
    },
    async claimDue(now, leaseMs, limit) {
      const due = await db
        .selectFrom('outbox')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
            eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      const claimed: ClaimedMail[] = [];
      for (const row of due) {
        // Only one worker wins the row: the update matches only if nobody leased it meanwhile.
        const result = await db
          .updateTable('outbox')
          .set({ status: 'sending', lease_until: now + leaseMs, attempts: row.attempts + 1 })
          .where('id', '=', row.id)
          .where('attempts', '=', row.attempts)
          .where('status', '=', row.status)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) continue;
        const mail = openRow(row);
        if (mail) claimed.push({ ...mail, id: row.id, attempts: row.attempts + 1 });
        // A row that cannot be read never will be: abandon it rather than block the queue.
        else await this.markFailed(row.id, 'unreadable outbox row', undefined);
      }
      return claimed;
    },
    async markSent(id, now) {
      await db.updateTable('outbox').set({ status: 'sent', sent_at: now, lease_until: null, recipient_ct: ERASED, payload_ct: null, last_error: null }).where('id', '=', id).execute();
    },
    async markFailed(id, error, nextAttemptAt) {
      await db
        .updateTable('outbox')
        .set(
          nextAttemptAt === undefined
            ? { status: 'abandoned', lease_until: null, recipient_ct: ERASED, payload_ct: null, last_error: error.slice(0, 500) }
            : { status: 'queued', lease_until: null, next_attempt_at: nextAttemptAt, last_error: error.slice(0, 500) },
        )
        .where('id', '=', id)
        .execute();
    },
    async counts() {
      const rows = await db.selectFrom('outbox').select(['status', db.fn.countAll<number>().as('n')]).groupBy('status').execute();
      const counts = { queued: 0, sending: 0, sent: 0, abandoned: 0 };
      for (const row of rows) counts[row.status] = Number(row.n);
      return counts;
    },
    async dropUnsentTo(address) {
      // The recipient is sealed with a random nonce, so there is no index to look it up by; unsent
      // mail is the backlog only, and a sent row no longer holds its recipient.
      const wanted = normaliseEmail(address);
      const rows = await db.selectFrom('outbox').select(['id', 'recipient_ct']).where('status', 'in', ['queued', 'sending']).execute();
      const ids = rows
        .filter((row) => {
          try {
            return normaliseEmail(cipher.decrypt(row.recipient_ct, context(row.id, 'recipient'))) === wanted;
          } catch {
            return false;
          }
        })
        .map((row) => row.id);
      if (ids.length > 0) await db.deleteFrom('outbox').where('id', 'in', ids).execute();
      return ids.length;
    },
  };
}
