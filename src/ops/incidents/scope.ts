import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { IncidentRepository } from '../../store/incidents.ts';
import type { ScopeSpec } from './input.ts';

/**
 * The affected members' ids, a batch at a time: database scopes page through `members` by id
 * (keyset, so each page is one index range), an id list is read line by line and checked against
 * the members that exist. Only one batch of ids is in memory at once (and the `exclude` set).
 */
export async function* scopeBatches(
  incidents: IncidentRepository,
  scope: ScopeSpec,
  window: { from: number; to: number },
  batchSize: number,
  exclude: ReadonlySet<string> = new Set(),
): AsyncGenerator<string[]> {
  const keep = (ids: string[]) => ids.filter((id) => !exclude.has(id));
  if (scope.kind === 'id_list') {
    let batch: string[] = [];
    for await (const id of scope.ids) {
      batch.push(id);
      if (batch.length >= batchSize) {
        yield keep(await incidents.existingMembers([...new Set(batch)]));
        batch = [];
      }
    }
    if (batch.length > 0) yield keep(await incidents.existingMembers([...new Set(batch)]));
    return;
  }
  const query = scope.kind === 'signed_in_within' ? { kind: scope.kind, from: window.from, to: window.to } : scope;
  let after = '';
  for (;;) {
    const ids = await incidents.scopePage(query, after, batchSize);
    if (ids.length === 0) return;
    yield keep(ids);
    after = ids[ids.length - 1]!;
  }
}

/** Member ids from a file, one a line; blank lines and lines starting with # are skipped. */
export async function* readIdList(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    const id = line.trim();
    if (id && !id.startsWith('#')) yield id;
  }
}

export function describeScope(kind: string, arg: string | null): string {
  switch (kind) {
    case 'all':
      return 'all members';
    case 'created_before':
      return `members created before ${arg}`;
    case 'signed_in_within':
      return 'members who signed in within the window';
    default:
      return `members listed in ${arg}`;
  }
}
