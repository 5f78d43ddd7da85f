import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The shared Redis of a multi-node deployment. Start-up waits for it, so a node never runs with
 * limits of its own while the others share theirs; later outages are logged and ridden out.
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000 });
  redis.on('error', (error: Error) => logger.warn({ err: { message: error.message } }, 'redis error'));
  await redis.connect();
  return redis;
}
