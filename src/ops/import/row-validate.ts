import { isLegacyScheme, parseLegacyHash, type LegacyHash } from '../../crypto/legacy-hashes.ts';
import { checkBirthDate } from '../../domain/birth-date.ts';
import { checkDisplayName, cleanDisplayName, DISPLAY_NAME_MAX, DISPLAY_NAME_MIN } from '../../domain/display-name.ts';
import { checkEmail, cleanEmail, normaliseEmail } from '../../domain/email.ts';

/**
 * One row of a legacy export (format: test/fixtures/legacy/README.md) to a member ready to encrypt, or a reject reason.
 * Pure: uniqueness against the database and the rest of the file is the importer's job.
 *
 * Rejected (the member is not imported): a wrong column count or unclosed quote, an empty or odd
 * legacy_id, an invalid email, a missing or impossible birth date (the members table requires one),
 * an unknown scheme, a hash that does not have its scheme's form.
 * Repaired and counted as a warning (the member is imported): a display name that breaks today's rules
 * (see `repairDisplayName`), a missing or malformed created_at (the import time is used).
 */
export const columns = ['legacy_id', 'display_name', 'email', 'birth_date', 'created_at', 'password_scheme', 'password_hash', 'password_salt', 'email_verified'] as const;
export type Column = (typeof columns)[number];

export type RejectReason =
  | 'wrong_column_count'
  | 'malformed_csv'
  | 'invalid_legacy_id'
  | 'invalid_email'
  | 'invalid_birth_date'
  | 'unknown_scheme'
  | 'invalid_hash'
  | 'duplicate_legacy_id'
  | 'duplicate_email';

export interface LegacyRow {
  line: number;
  legacyId: string;
  displayName: string;
  /** True when `displayName` had to be repaired. */
  renamed: boolean;
  email: string;
  normalisedEmail: string;
  birthDate: string;
  createdAt: number;
  createdAtDefaulted: boolean;
  emailVerified: boolean;
  /** Undefined for scheme `none`: the member must use a reset link. */
  password: LegacyHash | undefined;
}

export type RowResult = { ok: true; row: LegacyRow } | { ok: false; line: number; legacyId: string; reason: RejectReason };

/** Legacy ids are references, not free text: this also keeps anything personal out of the reject report. */
export const LEGACY_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const CREATED_AT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$/;

export class HeaderError extends Error {
  override name = 'HeaderError';
}

/** Maps header names to positions; throws when a column is missing (the file is not an export at all). */
export function columnPositions(header: string[]): Record<Column, number> {
  const names = header.map((name) => name.trim().toLowerCase());
  const missing = columns.filter((column) => !names.includes(column));
  if (missing.length > 0) throw new HeaderError(`the header lacks ${missing.join(', ')}: is this a legacy member export (format: test/fixtures/legacy/README.md)?`);
  return Object.fromEntries(columns.map((column) => [column, names.indexOf(column)])) as Record<Column, number>;
}

export function validateRow(
  record: { line: number; fields: string[]; error?: string },
  positions: Record<Column, number>,
  width: number,
  now: number,
): RowResult {
  const field = (column: Column) => record.fields[positions[column]] ?? '';
  const rawId = field('legacy_id').trim();
  const reject = (reason: RejectReason): RowResult => ({ ok: false, line: record.line, legacyId: LEGACY_ID.test(rawId) ? rawId : '', reason });
  if (record.error) return reject('malformed_csv');
  if (record.fields.length !== width) return reject('wrong_column_count');
  if (!LEGACY_ID.test(rawId)) return reject('invalid_legacy_id');

  const rawEmail = field('email');
  if (checkEmail(rawEmail) !== undefined) return reject('invalid_email');
  const birthDate = field('birth_date').trim();
  if (checkBirthDate(birthDate, new Date(now)) !== undefined) return reject('invalid_birth_date');

  const scheme = field('password_scheme').trim().toLowerCase();
  let password: LegacyHash | undefined;
  if (scheme !== 'none') {
    if (!isLegacyScheme(scheme)) return reject('unknown_scheme');
    password = parseLegacyHash(scheme, field('password_hash').trim(), field('password_salt'));
    if (!password) return reject('invalid_hash');
  }

  const createdAt = parseCreatedAt(field('created_at').trim(), now);
  const name = repairDisplayName(field('display_name'), rawId);
  return {
    ok: true,
    row: {
      line: record.line,
      legacyId: rawId,
      displayName: name.displayName,
      renamed: name.renamed,
      email: cleanEmail(rawEmail),
      normalisedEmail: normaliseEmail(rawEmail),
      birthDate,
      createdAt: createdAt ?? now,
      createdAtDefaulted: createdAt === undefined,
      emailVerified: /^(1|true|yes)$/i.test(field('email_verified').trim()),
      password,
    },
  };
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) to epoch ms; undefined when it is not a real time or lies in the future. */
export function parseCreatedAt(text: string, now: number): number | undefined {
  const match = CREATED_AT.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const valid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  return valid && date.getTime() <= now ? date.getTime() : undefined;
}

/**
 * Legacy names follow older rules. A name that breaks today's (control or invisible characters, too
 * long, too short) is repaired rather than rejected: forbidden characters dropped, cut to the
 * maximum, and when still unusable `Player <legacy id>`. A member keeps their account and can
 * choose a new name; the importer counts every repair.
 */
export function repairDisplayName(raw: string, legacyId: string): { displayName: string; renamed: boolean } {
  if (validName(raw)) return { displayName: cleanDisplayName(raw), renamed: false };
  const stripped = cleanDisplayName(raw.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu, ' '));
  const cut = truncateGraphemes(stripped, DISPLAY_NAME_MAX).trim();
  if (checkDisplayName(cut) === undefined) return { displayName: cut, renamed: true };
  return { displayName: truncateGraphemes(`Player ${legacyId}`, DISPLAY_NAME_MAX), renamed: true };
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * `checkDisplayName(name) === undefined`, with a shortcut for printable ASCII (no forbidden
 * characters, one grapheme per character) since segmenting every name of a million-row file shows.
 */
export function validName(name: string): boolean {
  if (!PRINTABLE_ASCII.test(name)) return checkDisplayName(name) === undefined;
  const length = cleanDisplayName(name).length;
  return length >= DISPLAY_NAME_MIN && length <= DISPLAY_NAME_MAX;
}

export function truncateGraphemes(text: string, max: number): string {
  if (PRINTABLE_ASCII.test(text)) return text.slice(0, max);
  let out = '';
  let count = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (++count > max) break;
    out += segment;
  }
  return out;
}

/**
 * Another member already has this name (names are unique, case-insensitively): ` #<legacy id>` is
 * appended, cutting the name so the whole fits. Imported as is; the member may rename later.
 */
export function disambiguatedName(displayName: string, legacyId: string): string {
  // Legacy ids are ASCII (LEGACY_ID), one grapheme per character.
  const suffix = ` #${legacyId}`;
  return `${truncateGraphemes(displayName, Math.max(1, DISPLAY_NAME_MAX - suffix.length)).trimEnd()}${suffix}`;
}
