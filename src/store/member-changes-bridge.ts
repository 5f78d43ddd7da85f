import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MemberChanges } from './member-changes.ts';

const CHANNEL = 'playerpass:member-changes';

/**
 * Carries member changes between nodes: what changes here is published, and what another node
 * publishes reaches `onRemote` (which drops that member from this node's caches).
 */
export async function bridgeMemberChanges(changes: MemberChanges, redis: Redis, logger: Logger, onRemote: (memberId: string) => void): Promise<() => void> {
  const subscriber = redis.duplicate();
  subscriber.on('error', (error: Error) => logger.warn({ err: { message: error.message } }, 'redis subscriber error'));
  await subscriber.subscribe(CHANNEL);
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  subscriber.on('message', (_channel: string, message: string) => {
    const [from, memberId] = message.split(' ');
    if (from !== origin && memberId) onRemote(memberId);
  });
  changes.onChange((memberId) => {
    redis.publish(CHANNEL, `${origin} ${memberId}`).catch((error: Error) => logger.warn({ err: { message: error.message } }, 'could not publish a member change'));
  });
  return () => subscriber.disconnect();
}
