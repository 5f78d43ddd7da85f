import type { Kysely } from 'kysely';
import type { BlindIndex } from '../crypto/blind-index.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { createDeviceRepository, type DeviceRepository } from './devices.ts';
import { createIncidentRepository, type IncidentRepository } from './incidents.ts';
import { createMemberRepository, type MemberRepository } from './members.ts';
import { createMemberDataRepository, type MemberDataRepository } from './member-data.ts';
import { createOneTimeTokenRepository, type OneTimeTokenRepository } from './one-time-tokens.ts';
import { createOutboxRepository, type OutboxRepository } from './outbox.ts';
import { createSessionRepository, type SessionRepository } from './sessions.ts';
import { createMemberChanges, type MemberChanges } from './member-changes.ts';
import { createMfaChallengeRepository, type MfaChallengeRepository } from './mfa-challenges.ts';
import { createPasskeyRepository, type PasskeyRepository } from './passkeys.ts';
import { createRecoveryCodeRepository, type RecoveryCodeRepository } from './recovery-codes.ts';
import { createTotpRepository, type TotpRepository } from './totp.ts';
import type { Tables } from './tables.ts';

/** Every repository, bound to one connection or one transaction. */
export interface Store {
  members: MemberRepository;
  sessions: SessionRepository;
  tokens: OneTimeTokenRepository;
  outbox: OutboxRepository;
  devices: DeviceRepository;
  incidents: IncidentRepository;
  /** Second factors (src/flows/mfa). */
  totp: TotpRepository;
  recoveryCodes: RecoveryCodeRepository;
  passkeys: PasskeyRepository;
  mfaChallenges: MfaChallengeRepository;
  /** Everything held about one member, across tables: for export and erasure. */
  memberData: MemberDataRepository;
  /** Announces committed changes to members and their sessions (for caches). */
  changes: MemberChanges;
  /** Runs `work` in one transaction: all its writes land together or none do. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
}

export function createStore(db: Kysely<Tables>, cipher: FieldCipher, index: BlindIndex, changes: MemberChanges = createMemberChanges()): Store {
  const inTransaction = async <T>(work: (tx: Store) => Promise<T>): Promise<T> => {
    const touched = new Set<string>();
    const result = await db.transaction().execute((trx) => work(bind(trx, (id) => touched.add(id), true)));
    for (const memberId of touched) changes.changed(memberId);
    return result;
  };
  const bind = (conn: Kysely<Tables>, changed: (memberId: string) => void, nested: boolean): Store => {
    const store: Store = {
      members: createMemberRepository(conn, cipher, index, changed),
      sessions: createSessionRepository(conn, cipher, changed),
      tokens: createOneTimeTokenRepository(conn, cipher),
      outbox: createOutboxRepository(conn, cipher),
      devices: createDeviceRepository(conn),
      incidents: createIncidentRepository(conn),
      totp: createTotpRepository(conn, cipher),
      recoveryCodes: createRecoveryCodeRepository(conn),
      passkeys: createPasskeyRepository(conn, cipher),
      mfaChallenges: createMfaChallengeRepository(conn),
      memberData: createMemberDataRepository(conn, cipher, changed),
      changes,
      transaction: (work) => (nested ? work(store) : inTransaction(work)),
      async ping() {
        await conn.selectFrom('meta').select('key').limit(1).execute();
      },
    };
    return store;
  };
  return bind(db, (memberId) => changes.changed(memberId), false);
}
