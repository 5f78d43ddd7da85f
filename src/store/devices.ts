import type { Kysely } from 'kysely';
import type { Tables } from './tables.ts';

/** Devices each member has signed in from, by the hash of the device cookie's id. */
export interface DeviceRepository {
  isKnown(memberId: string, deviceHash: string): Promise<boolean>;
  hasAny(memberId: string): Promise<boolean>;
  remember(memberId: string, deviceHash: string, now: number): Promise<void>;
  forgetAll(memberId: string): Promise<void>;
}

export function createDeviceRepository(db: Kysely<Tables>): DeviceRepository {
  return {
    async isKnown(memberId, deviceHash) {
      const row = await db.selectFrom('member_devices').select('member_id').where('member_id', '=', memberId).where('device_hash', '=', deviceHash).executeTakeFirst();
      return row !== undefined;
    },
    async hasAny(memberId) {
      return (await db.selectFrom('member_devices').select('member_id').where('member_id', '=', memberId).limit(1).executeTakeFirst()) !== undefined;
    },
    async remember(memberId, deviceHash, now) {
      await db
        .insertInto('member_devices')
        .values({ member_id: memberId, device_hash: deviceHash, created_at: now, last_seen_at: now })
        .onConflict((oc) => oc.columns(['member_id', 'device_hash']).doUpdateSet({ last_seen_at: now }))
        .execute();
    },
    async forgetAll(memberId) {
      await db.deleteFrom('member_devices').where('member_id', '=', memberId).execute();
    },
  };
}
