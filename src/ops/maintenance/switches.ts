import type { Kysely } from 'kysely';
import type { Tables } from '../../store/tables.ts';

/** The capabilities an operator can switch off, in the order the status page lists them. */
export const CAPABILITY_NAMES = ['join', 'profile_changes', 'password_reset', 'sign_in', 'oidc'] as const;
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/**
 * `off` refuses everything of the capability. `read_only` refuses changes but still lets members
 * read: it only differs from `off` where a capability has a read side (profile_changes: GET
 * /api/v1/me and /account). join, password_reset and sign_in have none, so there it is `off`.
 */
export const CAPABILITY_STATES = ['on', 'off', 'read_only'] as const;
export type CapabilityState = (typeof CAPABILITY_STATES)[number];

export type CapabilityActor = 'cli' | 'admin_api';

/** Longest public message; it is shown on pages and in API errors. */
export const CAPABILITY_MESSAGE_MAX = 500;

export interface SwitchRecord {
  name: CapabilityName;
  state: CapabilityState;
  message: string | null;
  updatedAt: number;
  updatedBy: string | null;
}

/** The `capabilities` table. It is the truth; every node's copy in memory is a cache of it. */
export interface SwitchStore {
  /** Every switch with a row; a capability without one is on. */
  list(): Promise<SwitchRecord[]>;
  write(record: SwitchRecord): Promise<void>;
}

export function isCapabilityName(name: string): name is CapabilityName {
  return (CAPABILITY_NAMES as readonly string[]).includes(name);
}

export function isCapabilityState(state: string): state is CapabilityState {
  return (CAPABILITY_STATES as readonly string[]).includes(state);
}

export function createSwitchStore(db: Kysely<Tables>): SwitchStore {
  return {
    async list() {
      const rows = await db.selectFrom('capabilities').select(['name', 'state', 'message', 'updated_at', 'updated_by']).execute();
      return rows
        .filter((row) => isCapabilityName(row.name))
        .map((row) => ({
          name: row.name as CapabilityName,
          // A state this version does not know (written by hand, or by a newer version) fails closed.
          state: isCapabilityState(row.state) ? row.state : 'off',
          message: row.message,
          updatedAt: Number(row.updated_at),
          updatedBy: row.updated_by,
        }));
    },
    async write(record) {
      const values = { state: record.state, message: record.message, updated_at: record.updatedAt, updated_by: record.updatedBy };
      await db
        .insertInto('capabilities')
        .values({ name: record.name, ...values })
        .onConflict((conflict) => conflict.column('name').doUpdateSet(values))
        .execute();
    },
  };
}
