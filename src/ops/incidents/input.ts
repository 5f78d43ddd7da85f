/** Parsing of what an operator types when opening an incident. Pure: no I/O. */
export const DATA_CATEGORIES = ['names', 'emails', 'birthdates', 'password_hashes'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/** Bad input or a request the incident's state does not allow; the message is for the operator. */
export class IncidentError extends Error {
  override name = 'IncidentError';
}

/** How the affected members are chosen. An id list is read as a stream, never whole into memory. */
export type ScopeSpec =
  | { kind: 'all' }
  | { kind: 'created_before'; before: number }
  | { kind: 'signed_in_within' }
  | { kind: 'id_list'; source: string; ids: AsyncIterable<string> };

export function parseCategories(text: string): DataCategory[] {
  const wanted = text.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = wanted.filter((c) => !(DATA_CATEGORIES as readonly string[]).includes(c));
  if (unknown.length > 0) throw new IncidentError(`unknown data categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; use ${DATA_CATEGORIES.join(',')}`);
  if (wanted.length === 0) throw new IncidentError(`name the data involved: ${DATA_CATEGORIES.join(',')}`);
  return DATA_CATEGORIES.filter((c) => wanted.includes(c));
}

/** An ISO 8601 date or time; a date alone, or a time without an offset, is UTC. */
export function parseTime(text: string, what: string): number {
  const trimmed = text.trim();
  const withZone = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(trimmed) ? `${trimmed}Z` : trimmed;
  const value = /^\d{4}-\d{2}-\d{2}/.test(withZone) ? Date.parse(withZone) : Number.NaN;
  if (Number.isNaN(value)) throw new IncidentError(`${what} must be an ISO 8601 date or time (2026-03-01 or 2026-03-01T12:00Z), not "${text}"`);
  return value;
}

/** `FROM..TO`, both ends included. */
export function parseWindow(text: string): { from: number; to: number } {
  const parts = text.split('..');
  if (parts.length !== 2) throw new IncidentError(`--window must be FROM..TO, e.g. 2026-03-01..2026-03-05T18:00Z, not "${text}"`);
  const from = parseTime(parts[0]!, 'the window start');
  const to = parseTime(parts[1]!, 'the window end');
  if (from > to) throw new IncidentError('the window ends before it starts');
  return { from, to };
}

/** `all`, `created-before:DATE`, `signed-in-within` (the window) or `ids:FILE`. */
export function parseScope(text: string, readIds: (path: string) => AsyncIterable<string>): ScopeSpec {
  const [kind = '', ...rest] = text.split(':');
  const arg = rest.join(':');
  if (kind === 'all' && !arg) return { kind: 'all' };
  if (kind === 'signed-in-within' && !arg) return { kind: 'signed_in_within' };
  if (kind === 'created-before' && arg) return { kind: 'created_before', before: parseTime(arg, 'created-before') };
  if (kind === 'ids' && arg) return { kind: 'id_list', source: arg, ids: readIds(arg) };
  throw new IncidentError(`--scope must be all, created-before:DATE, signed-in-within or ids:FILE, not "${text}"`);
}

export function checkText(value: string, what: string, max: number): string {
  const trimmed = value.trim();
  if (!trimmed) throw new IncidentError(`${what} must not be empty`);
  if (trimmed.length > max) throw new IncidentError(`${what} must be at most ${max} characters`);
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new IncidentError(`${what} must be one line of text`);
  return trimmed;
}
