import { randomId } from '../../crypto/random.ts';
import type { Clock } from '../../domain/clock.ts';
import type { AuditEvent, AuditTrail } from '../audit/trail.ts';
import type { DeliveryRepository } from './deliveries.ts';
import { buildPayload, isPublishable } from './events.ts';
import type { WebhookRegistry } from './registry.ts';

export interface WebhookPublisher {
  /** Queues one delivery per webhook subscribed to the event's type; resolves to how many. */
  publish(event: AuditEvent): Promise<number>;
}

export function createWebhookPublisher(deps: { registry: WebhookRegistry; deliveries: DeliveryRepository; clock: Clock; queued(): void }): WebhookPublisher {
  return {
    async publish(event) {
      if (!isPublishable(event.type)) return 0;
      const webhooks = await deps.registry.subscribers(event.type);
      if (webhooks.length === 0) return 0;
      const now = deps.clock.now();
      const eventId = randomId();
      const payload = JSON.stringify(buildPayload(event, eventId, now));
      for (const webhook of webhooks) await deps.deliveries.enqueue({ webhookId: webhook.id, eventId, eventType: event.type, payload }, now);
      deps.queued();
      return webhooks.length;
    },
  };
}

interface ErrorLogger {
  error(object: object, message: string): void;
}

/**
 * The audit trail, publishing each recorded event to the webhooks after it is recorded. Recording
 * still fails as before; a publishing failure is logged and never fails the request.
 */
export function publishingAuditTrail(trail: AuditTrail, publisher: WebhookPublisher, logger: ErrorLogger): AuditTrail {
  return {
    async record(event) {
      await trail.record(event);
      if (!isPublishable(event.type)) return;
      try {
        await publisher.publish(event);
      } catch (error) {
        logger.error({ type: event.type, error: (error as Error)?.message ?? String(error) }, 'webhook publishing failed; the event is in the audit trail');
      }
    },
  };
}
