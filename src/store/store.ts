import type { Kysely } from 'kysely';
import type { BlindIndex } from '../crypto/blind-index.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { createDeviceRepository, type DeviceRepository } from './devices.ts';
import { createMemberRepository, type MemberRepository } from './members.ts';
import { createOneTimeTokenRepository, type OneTimeTokenRepository } from './one-time-tokens.ts';
import { createOutboxRepository, type OutboxRepository } from './outbox.ts';
import { createSessionRepository, type SessionRepository } from './sessions.ts';
import type { Tables } from './tables.ts';

/** Every repository, bound to one connection or one transaction. */
export interface Store {
  members: MemberRepository;
  sessions: SessionRepository;
  tokens: OneTimeTokenRepository;
  outbox: OutboxRepository;
  devices: DeviceRepository;
  /** Runs `work` in one transaction: all its writes land together or none do. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
}

export function createStore(db: Kysely<Tables>, cipher: FieldCipher, index: BlindIndex): Store {
  const bind = (conn: Kysely<Tables>, inTransaction: boolean): Store => ({
    members: createMemberRepository(conn, cipher, index),
    sessions: createSessionRepository(conn, cipher),
    tokens: createOneTimeTokenRepository(conn, cipher),
    outbox: createOutboxRepository(conn, cipher),
    devices: createDeviceRepository(conn),
    transaction: (work) => (inTransaction ? work(bind(conn, true)) : conn.transaction().execute((trx) => work(bind(trx, true)))),
    async ping() {
      await conn.selectFrom('meta').select('key').limit(1).execute();
    },
  });
  return bind(db, false);
}
