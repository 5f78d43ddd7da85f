import type { Kysely } from 'kysely';
import type { FieldCipher } from '../../crypto/field-cipher.ts';
import { randomId } from '../../crypto/random.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Tables, WebhookRow } from '../../store/tables.ts';
import { checkSubscription, subscribes } from './events.ts';
import { newWebhookSecret } from './signature.ts';

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  createdAt: number;
  disabledAt: number | null;
}

/** Operator-registered endpoints. The signing secret exists in clear only in the answer to `add`. */
export interface WebhookRegistry {
  add(input: { url: string; events: string[] }): Promise<{ webhook: Webhook; secret: string }>;
  /** Every webhook, removed ones included (with `disabledAt`), oldest first. */
  list(): Promise<Webhook[]>;
  /** Disables the webhook and abandons its pending deliveries; false when there is no such active webhook. */
  remove(id: string): Promise<boolean>;
  /** Active webhooks subscribed to this event type. */
  subscribers(type: string): Promise<Webhook[]>;
}

export class WebhookError extends Error {
  override name = 'WebhookError';
}

/** The field cipher's associated data for a webhook's secret: a copied ciphertext fails to decrypt. */
export const secretContext = (id: string) => ({ table: 'webhooks', column: 'secret', rowId: id });

/**
 * https:// only (deliveries carry security events), unless the operator allows http:// for a local
 * test receiver. No credentials in the URL: it is stored and listed in clear.
 */
export function checkWebhookUrl(raw: string, allowHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the webhook URL is not a URL';
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    return allowHttp ? 'the webhook URL must start with https:// or http://' : 'the webhook URL must start with https:// (PLAYERPASS_WEBHOOKS_ALLOW_HTTP=true allows http:// for testing)';
  }
  if (url.username || url.password) return 'the webhook URL must not carry credentials: receivers check the signature instead';
  return undefined;
}

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  url: row.url,
  events: row.event_types.split(','),
  createdAt: Number(row.created_at),
  disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
});

export function createWebhookRegistry(deps: { db: Kysely<Tables>; cipher: FieldCipher; clock: Clock; allowHttp: boolean }): WebhookRegistry {
  const { db } = deps;
  return {
    async add(input) {
      const urlProblem = checkWebhookUrl(input.url, deps.allowHttp);
      if (urlProblem) throw new WebhookError(urlProblem);
      const events = [...new Set(input.events.map((event) => event.trim()).filter(Boolean))];
      if (events.length === 0) throw new WebhookError('name at least one event type, or * for all');
      for (const event of events) {
        const problem = checkSubscription(event);
        if (problem) throw new WebhookError(problem);
      }
      const id = randomId();
      const secret = newWebhookSecret();
      const row: WebhookRow = {
        id,
        url: input.url,
        event_types: events.includes('*') ? '*' : events.join(','),
        secret_ct: deps.cipher.encrypt(secret, secretContext(id)),
        created_at: deps.clock.now(),
        disabled_at: null,
      };
      await db.insertInto('webhooks').values(row).execute();
      return { webhook: toWebhook(row), secret };
    },
    async list() {
      return (await db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute()).map(toWebhook);
    },
    async remove(id) {
      const now = deps.clock.now();
      const result = await db.updateTable('webhooks').set({ disabled_at: now }).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'abandoned', lease_until: null, last_error: 'webhook removed' })
        .where('webhook_id', '=', id)
        .where('status', 'in', ['queued', 'sending'])
        .execute();
      return true;
    },
    async subscribers(type) {
      const rows = await db.selectFrom('webhooks').selectAll().where('disabled_at', 'is', null).execute();
      return rows.filter((row) => subscribes(row.event_types, type)).map(toWebhook);
    },
  };
}
