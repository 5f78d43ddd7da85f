import type { Kysely } from 'kysely';
import type { BlindIndex } from '../crypto/blind-index.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { PasswordScheme, StoredPassword } from '../crypto/password-hasher.ts';
import { foldDisplayName } from '../domain/display-name.ts';
import { normaliseEmail } from '../domain/email.ts';
import type { Member } from '../domain/member.ts';
import type { MemberRow, Tables } from './tables.ts';

/**
 * Members and their password. Encrypts on the way in and decrypts on the way out, so no caller can
 * forget: names, emails and birth dates exist in the database only as ciphertext and blind indexes.
 */
export interface MemberRepository {
  insert(member: Member, password: StoredPassword | undefined): Promise<void>;
  findById(id: string): Promise<Member | undefined>;
  findByEmail(email: string): Promise<Member | undefined>;
  displayNameTaken(displayName: string, exceptMemberId?: string): Promise<boolean>;
  password(memberId: string): Promise<StoredPassword | undefined>;
  setPassword(memberId: string, password: StoredPassword, now: number): Promise<void>;
  updateDetails(memberId: string, changes: { displayName?: string; birthDate?: string }, now: number): Promise<void>;
  updateEmail(memberId: string, email: string, now: number): Promise<void>;
  setFlags(memberId: string, flags: { emailVerified?: boolean; mustReset?: boolean }, now: number): Promise<void>;
  /** Adds one consecutive failed sign-in; returns the new count. */
  countFailedSignIn(memberId: string): Promise<number>;
  /** Ids of canary members: a scan, for operators' listings only. */
  canaryIds(): Promise<string[]>;
  clearFailedSignIns(memberId: string): Promise<void>;
}

export function createMemberRepository(db: Kysely<Tables>, cipher: FieldCipher, index: BlindIndex, changed: (memberId: string) => void = () => {}): MemberRepository {
  const seal = (id: string, column: string, value: string) => cipher.encrypt(value, { table: 'members', column, rowId: id });
  const open = (row: MemberRow): Member => {
    const context = (column: string) => ({ table: 'members', column, rowId: row.id });
    return {
      id: row.id,
      displayName: cipher.decrypt(row.display_name_ct, context('display_name')),
      email: cipher.decrypt(row.email_ct, context('email')),
      birthDate: cipher.decrypt(row.birth_date_ct, context('birth_date')),
      status: row.status,
      emailVerified: row.email_verified === 1,
      mustReset: row.must_reset === 1,
      canary: row.canary === 1 || (row.kind_marker !== null && index.candidates('member_kind', `${row.id}:canary`).includes(row.kind_marker)),
      failedSignIns: row.failed_sign_ins,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  };
  const emailFields = (id: string, email: string) => ({
    email_ct: seal(id, 'email', email),
    email_idx: index.compute('email', normaliseEmail(email)),
  });
  const nameFields = (id: string, displayName: string) => ({
    display_name_ct: seal(id, 'display_name', displayName),
    display_name_idx: index.compute('display_name', foldDisplayName(displayName)),
  });

  return {
    async insert(member, password) {
      await db
        .insertInto('members')
        .values({
          id: member.id,
          ...encryptMemberFields(cipher, index, member.id, member),
          status: member.status,
          email_verified: member.emailVerified ? 1 : 0,
          must_reset: member.mustReset ? 1 : 0,
          canary: 0,
          kind_marker: index.compute('member_kind', `${member.id}:${member.canary ? 'canary' : 'member'}`),
          key_version: 1,
          failed_sign_ins: member.failedSignIns,
          created_at: member.createdAt,
          updated_at: member.updatedAt,
        })
        .execute();
      if (password) {
        await db
          .insertInto('credentials')
          .values({
            member_id: member.id,
            kind: 'password',
            secret: password.hash,
            key_version: password.pepperVersion,
            scheme: password.scheme ?? 'argon2id',
            salt: password.salt ?? null,
            created_at: member.createdAt,
            updated_at: member.createdAt,
          })
          .execute();
      }
    },
    async findById(id) {
      const row = await db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? open(row) : undefined;
    },
    async findByEmail(email) {
      const candidates = index.candidates('email', normaliseEmail(email));
      const row = await db.selectFrom('members').selectAll().where('email_idx', 'in', candidates).executeTakeFirst();
      return row ? open(row) : undefined;
    },
    async displayNameTaken(displayName, exceptMemberId) {
      let query = db
        .selectFrom('members')
        .select('id')
        .where('display_name_idx', 'in', index.candidates('display_name', foldDisplayName(displayName)));
      if (exceptMemberId) query = query.where('id', '<>', exceptMemberId);
      return (await query.executeTakeFirst()) !== undefined;
    },
    async password(memberId) {
      const row = await db
        .selectFrom('credentials')
        .select(['secret', 'key_version', 'scheme', 'salt'])
        .where('member_id', '=', memberId)
        .where('kind', '=', 'password')
        .executeTakeFirst();
      return row ? { hash: row.secret, pepperVersion: row.key_version, scheme: row.scheme as PasswordScheme, salt: row.salt, memberId } : undefined;
    },
    async setPassword(memberId, password, now) {
      // Always writes the scheme too: an upgraded legacy password becomes a plain argon2id one.
      const scheme = password.scheme ?? 'argon2id';
      const salt = password.salt ?? null;
      const updated = await db
        .updateTable('credentials')
        .set({ secret: password.hash, key_version: password.pepperVersion, scheme, salt, updated_at: now })
        .where('member_id', '=', memberId)
        .where('kind', '=', 'password')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await db
          .insertInto('credentials')
          .values({ member_id: memberId, kind: 'password', secret: password.hash, key_version: password.pepperVersion, scheme, salt, created_at: now, updated_at: now })
          .execute();
      }
    },
    async updateDetails(memberId, changes, now) {
      await db
        .updateTable('members')
        .set({
          ...(changes.displayName !== undefined ? nameFields(memberId, changes.displayName) : {}),
          ...(changes.birthDate !== undefined ? { birth_date_ct: seal(memberId, 'birth_date', changes.birthDate) } : {}),
          updated_at: now,
        })
        .where('id', '=', memberId)
        .execute();
      changed(memberId);
    },
    async updateEmail(memberId, email, now) {
      await db
        .updateTable('members')
        .set({ ...emailFields(memberId, email), email_verified: 1, updated_at: now })
        .where('id', '=', memberId)
        .execute();
      changed(memberId);
    },
    async canaryIds() {
      const ids: string[] = [];
      let after = '';
      for (;;) {
        const rows = await db.selectFrom('members').select(['id', 'canary', 'kind_marker']).where('id', '>', after).orderBy('id').limit(5_000).execute();
        for (const row of rows) {
          if (row.canary === 1 || (row.kind_marker !== null && index.candidates('member_kind', `${row.id}:canary`).includes(row.kind_marker))) ids.push(row.id);
        }
        if (rows.length < 5_000) return ids;
        after = rows.at(-1)!.id;
      }
    },
    async countFailedSignIn(memberId) {
      await db
        .updateTable('members')
        .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1) }))
        .where('id', '=', memberId)
        .execute();
      const row = await db.selectFrom('members').select('failed_sign_ins').where('id', '=', memberId).executeTakeFirst();
      return row?.failed_sign_ins ?? 0;
    },
    async clearFailedSignIns(memberId) {
      await db.updateTable('members').set({ failed_sign_ins: 0 }).where('id', '=', memberId).where('failed_sign_ins', '<>', 0).execute();
    },
    async setFlags(memberId, flags, now) {
      await db
        .updateTable('members')
        .set({
          ...(flags.emailVerified !== undefined ? { email_verified: flags.emailVerified ? 1 : 0 } : {}),
          ...(flags.mustReset !== undefined ? { must_reset: flags.mustReset ? 1 : 0 } : {}),
          updated_at: now,
        })
        .where('id', '=', memberId)
        .execute();
      changed(memberId);
    },
  };
}

/**
 * A member's encrypted and blind-indexed columns, exactly as a join stores them: `insert` uses it,
 * and so does the legacy import (src/ops/import), which writes members in batches.
 */
export function encryptMemberFields(
  cipher: FieldCipher,
  index: BlindIndex,
  id: string,
  fields: { displayName: string; email: string; birthDate: string },
): Pick<MemberRow, 'display_name_ct' | 'display_name_idx' | 'email_ct' | 'email_idx' | 'birth_date_ct'> {
  const seal = (column: string, value: string) => cipher.encrypt(value, { table: 'members', column, rowId: id });
  return {
    display_name_ct: seal('display_name', fields.displayName),
    display_name_idx: index.compute('display_name', foldDisplayName(fields.displayName)),
    email_ct: seal('email', fields.email),
    email_idx: index.compute('email', normaliseEmail(fields.email)),
    birth_date_ct: seal('birth_date', fields.birthDate),
  };
}
