import type { Kysely } from 'kysely';
import type { FieldCipher } from '../../crypto/field-cipher.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Tables } from '../../store/tables.ts';
import type { AuditTrail } from '../audit/trail.ts';
import { createDeliveryRepository, type DeliveryRepository } from './deliveries.ts';
import { createWebhookDispatcher, type WebhookDispatcher, type WebhookLogger } from './dispatcher.ts';
import { createWebhookPublisher, publishingAuditTrail, type WebhookPublisher } from './publisher.ts';
import { createWebhookRegistry, type WebhookRegistry } from './registry.ts';

export interface Webhooks {
  registry: WebhookRegistry;
  deliveries: DeliveryRepository;
  publisher: WebhookPublisher;
  dispatcher: WebhookDispatcher;
  /** The given audit trail, publishing every webhook-able event it records. */
  publishing(trail: AuditTrail): AuditTrail;
}

export const WEBHOOK_POLL_MS = 5_000;

/**
 * Registry, outbox, publisher and worker over one database. A process that records audit events
 * outside `buildServices` (a CLI command) wraps its trail with `publishing` so the events still go
 * out; the serving process's worker delivers them on its next poll.
 */
export function createWebhooks(deps: { db: Kysely<Tables>; cipher: FieldCipher; clock: Clock; logger: WebhookLogger; allowHttp: boolean; fetch?: typeof fetch; timeoutMs?: number }): Webhooks {
  const registry = createWebhookRegistry(deps);
  const deliveries = createDeliveryRepository(deps.db, deps.cipher);
  const dispatcher = createWebhookDispatcher({
    deliveries,
    clock: deps.clock,
    logger: deps.logger,
    pollMs: WEBHOOK_POLL_MS,
    allowHttp: deps.allowHttp,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  });
  const publisher = createWebhookPublisher({ registry, deliveries, clock: deps.clock, queued: () => dispatcher.kick() });
  return { registry, deliveries, publisher, dispatcher, publishing: (trail) => publishingAuditTrail(trail, publisher, deps.logger) };
}
