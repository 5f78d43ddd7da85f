import type { Kysely } from 'kysely';
import type { Tables } from '../store/tables.ts';

/**
 * Expired rows stay this long, so a late poll of an expired device code still gets `expired_token`
 * and a replayed refresh token still revokes its family, instead of both looking unknown.
 */
export const EXPIRED_GRACE_MS = 60 * 60 * 1000;

export async function deleteExpiredOidcRows(db: Kysely<Tables>, now: number): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<', now - EXPIRED_GRACE_MS).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes expired rows every `everyMs` on every node (deletes are idempotent); the timer never keeps the process alive. */
export function startOidcCleanup(
  db: Kysely<Tables>,
  options: { everyMs: number; now: () => number; onError: (error: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = deleteExpiredOidcRows(db, options.now()).catch(options.onError);
  }, options.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
