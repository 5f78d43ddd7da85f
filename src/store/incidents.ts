import { sql, type Kysely } from 'kysely';
import type { IncidentRow, Tables } from './tables.ts';

export type ScopeKind = IncidentRow['scope_kind'];
export type IncidentMark = 'revoked_at' | 'reset_required_at' | 'notified_at';

export interface Incident {
  id: string;
  title: string;
  openedAt: number;
  windowFrom: number;
  windowTo: number;
  dataCategories: string[];
  scopeKind: ScopeKind;
  scopeArg: string | null;
  contact: string;
  status: IncidentRow['status'];
  createdBy: string;
  /** Frozen when the scope is: affected members in all and per data category. */
  counts: Record<string, number>;
  noticeTemplate: string | null;
}

/** A query scope the database answers (an id list is checked with `existingMembers` instead). */
export type ScopeQuery = { kind: 'all' } | { kind: 'created_before'; before: number } | { kind: 'signed_in_within'; from: number; to: number };

export interface IncidentMemberState {
  memberId: string;
  revokedAt: number | null;
  resetRequiredAt: number | null;
  notifiedAt: number | null;
}

export interface IncidentStep {
  id: string;
  step: string;
  startedAt: number;
  finishedAt: number | null;
  count: number | null;
  remaining: number | null;
  dryRun: boolean;
}

export interface IncidentProgress {
  members: number;
  revoked: number;
  resetRequired: number;
  notified: number;
}

export interface IncidentMailCounts {
  queued: number;
  sending: number;
  sent: number;
  abandoned: number;
  firstSentAt: number | null;
  lastSentAt: number | null;
}

/** The outbox idempotency key of one member's notice: a second enqueue of it is a no-op. */
export function incidentMailKey(incidentId: string, memberId: string): string {
  return `incident:${incidentId}:${memberId}`;
}

/** Incidents, their frozen scope (`incident_members`) and their timeline (`incident_steps`). */
export interface IncidentRepository {
  create(incident: Incident): Promise<void>;
  find(id: string): Promise<Incident | undefined>;
  list(): Promise<Incident[]>;
  update(id: string, changes: { status?: Incident['status']; counts?: Record<string, number>; noticeTemplate?: string | null }): Promise<void>;
  /** Up to `limit` ids of members (not deleted) in the scope after `after`, in id order: keyset pages. */
  scopePage(scope: ScopeQuery, after: string, limit: number): Promise<string[]>;
  /** Which of `ids` are members that are not deleted. */
  existingMembers(ids: string[]): Promise<string[]>;
  addMembers(incidentId: string, memberIds: string[]): Promise<void>;
  /** Members in the frozen scope, and how many of them have a stored password hash. */
  scopeCounts(incidentId: string): Promise<{ members: number; withPassword: number }>;
  /** Up to `limit` members after `after` whose `mark` is not set yet, in id order. */
  pending(incidentId: string, mark: IncidentMark, after: string, limit: number): Promise<IncidentMemberState[]>;
  countPending(incidentId: string, mark: IncidentMark): Promise<number>;
  /** Sets `mark` on those of `memberIds` that do not have it yet; returns how many it set. */
  markDone(incidentId: string, mark: IncidentMark, memberIds: string[], now: number): Promise<number>;
  /** Unrevoked sessions of the members the revoke step has not reached yet (for a dry run). */
  activeSessionsOfPending(incidentId: string): Promise<number>;
  progress(incidentId: string): Promise<IncidentProgress>;
  startStep(step: { id: string; incidentId: string; step: string; startedAt: number; dryRun: boolean }): Promise<void>;
  finishStep(id: string, finishedAt: number, count: number, remaining: number): Promise<void>;
  steps(incidentId: string): Promise<IncidentStep[]>;
  /** The incident's notices in the outbox, by status, with the first and last delivery times. */
  mailCounts(incidentId: string): Promise<IncidentMailCounts>;
}

const open = (row: IncidentRow): Incident => ({
  id: row.id,
  title: row.title,
  openedAt: Number(row.opened_at),
  windowFrom: Number(row.window_from),
  windowTo: Number(row.window_to),
  dataCategories: row.data_categories.split(',').filter(Boolean),
  scopeKind: row.scope_kind,
  scopeArg: row.scope_arg,
  contact: row.contact,
  status: row.status,
  createdBy: row.created_by,
  counts: JSON.parse(row.counts) as Record<string, number>,
  noticeTemplate: row.notice_template,
});

export function createIncidentRepository(db: Kysely<Tables>): IncidentRepository {
  const count = (value: unknown) => Number(value ?? 0);
  return {
    async create(incident) {
      await db
        .insertInto('incidents')
        .values({
          id: incident.id,
          title: incident.title,
          opened_at: incident.openedAt,
          window_from: incident.windowFrom,
          window_to: incident.windowTo,
          data_categories: incident.dataCategories.join(','),
          scope_kind: incident.scopeKind,
          scope_arg: incident.scopeArg,
          contact: incident.contact,
          status: incident.status,
          created_by: incident.createdBy,
          counts: JSON.stringify(incident.counts),
          notice_template: incident.noticeTemplate,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? open(row) : undefined;
    },
    async list() {
      return (await db.selectFrom('incidents').selectAll().orderBy('opened_at', 'desc').execute()).map(open);
    },
    async update(id, changes) {
      await db
        .updateTable('incidents')
        .set({
          ...(changes.status !== undefined ? { status: changes.status } : {}),
          ...(changes.counts !== undefined ? { counts: JSON.stringify(changes.counts) } : {}),
          ...(changes.noticeTemplate !== undefined ? { notice_template: changes.noticeTemplate } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    async scopePage(scope, after, limit) {
      let query = db
        .selectFrom('members')
        .select('id')
        .where('status', '<>', 'deleted')
        .where('id', '>', after);
      if (scope.kind === 'created_before') query = query.where('created_at', '<', scope.before);
      if (scope.kind === 'signed_in_within') {
        const { from, to } = scope;
        query = query.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('sessions')
              .select('sessions.id')
              .whereRef('sessions.member_id', '=', 'members.id')
              .where('sessions.created_at', '>=', from)
              .where('sessions.created_at', '<=', to),
          ),
        );
      }
      return (await query.orderBy('id').limit(limit).execute()).map((row) => row.id);
    },
    async existingMembers(ids) {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('members').select('id').where('id', 'in', ids).where('status', '<>', 'deleted').execute();
      return rows.map((row) => row.id);
    },
    async addMembers(incidentId, memberIds) {
      if (memberIds.length === 0) return;
      await db
        .insertInto('incident_members')
        .values(memberIds.map((member_id) => ({ incident_id: incidentId, member_id, revoked_at: null, reset_required_at: null, notified_at: null })))
        .onConflict((oc) => oc.columns(['incident_id', 'member_id']).doNothing())
        .execute();
    },
    async scopeCounts(incidentId) {
      const row = await db
        .selectFrom('incident_members')
        .leftJoin('credentials', (join) => join.onRef('credentials.member_id', '=', 'incident_members.member_id').on('credentials.kind', '=', 'password'))
        .select((eb) => [eb.fn.countAll().as('members'), eb.fn.count('credentials.member_id').as('withPassword')])
        .where('incident_members.incident_id', '=', incidentId)
        .executeTakeFirstOrThrow();
      return { members: count(row.members), withPassword: count(row.withPassword) };
    },
    async pending(incidentId, mark, after, limit) {
      const rows = await db
        .selectFrom('incident_members')
        .select(['member_id', 'revoked_at', 'reset_required_at', 'notified_at'])
        .where('incident_id', '=', incidentId)
        .where(mark, 'is', null)
        .where('member_id', '>', after)
        .orderBy('member_id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ memberId: row.member_id, revokedAt: row.revoked_at, resetRequiredAt: row.reset_required_at, notifiedAt: row.notified_at }));
    },
    async countPending(incidentId, mark) {
      const row = await db
        .selectFrom('incident_members')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('incident_id', '=', incidentId)
        .where(mark, 'is', null)
        .executeTakeFirstOrThrow();
      return count(row.n);
    },
    async markDone(incidentId, mark, memberIds, now) {
      if (memberIds.length === 0) return 0;
      const result = await db
        .updateTable('incident_members')
        .set({ [mark]: now })
        .where('incident_id', '=', incidentId)
        .where('member_id', 'in', memberIds)
        .where(mark, 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async activeSessionsOfPending(incidentId) {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('incident_members', 'incident_members.member_id', 'sessions.member_id')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('incident_members.incident_id', '=', incidentId)
        .where('incident_members.revoked_at', 'is', null)
        .where('sessions.revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return count(row.n);
    },
    async progress(incidentId) {
      const row = await db
        .selectFrom('incident_members')
        .select((eb) => [
          eb.fn.countAll().as('members'),
          eb.fn.count('revoked_at').as('revoked'),
          eb.fn.count('reset_required_at').as('resetRequired'),
          eb.fn.count('notified_at').as('notified'),
        ])
        .where('incident_id', '=', incidentId)
        .executeTakeFirstOrThrow();
      return { members: count(row.members), revoked: count(row.revoked), resetRequired: count(row.resetRequired), notified: count(row.notified) };
    },
    async startStep(step) {
      await db
        .insertInto('incident_steps')
        .values({ id: step.id, incident_id: step.incidentId, step: step.step, started_at: step.startedAt, finished_at: null, count: null, remaining: null, dry_run: step.dryRun ? 1 : 0 })
        .execute();
    },
    async finishStep(id, finishedAt, stepCount, remaining) {
      await db.updateTable('incident_steps').set({ finished_at: finishedAt, count: stepCount, remaining }).where('id', '=', id).execute();
    },
    async steps(incidentId) {
      const rows = await db.selectFrom('incident_steps').selectAll().where('incident_id', '=', incidentId).orderBy('started_at').orderBy('id').execute();
      return rows.map((row) => ({
        id: row.id,
        step: row.step,
        startedAt: Number(row.started_at),
        finishedAt: row.finished_at === null ? null : Number(row.finished_at),
        count: row.count,
        remaining: row.remaining,
        dryRun: row.dry_run === 1,
      }));
    },
    async mailCounts(incidentId) {
      // Joined on the idempotency key (unique, so indexed): the notices are exactly those rows.
      const rows = await db
        .selectFrom('incident_members')
        .innerJoin('outbox', (join) =>
          join.on(sql`outbox.idempotency_key`, '=', sql`'incident:' || incident_members.incident_id || ':' || incident_members.member_id`),
        )
        .select((eb) => ['outbox.status', eb.fn.countAll().as('n'), eb.fn.min('outbox.sent_at').as('first'), eb.fn.max('outbox.sent_at').as('last')])
        .where('incident_members.incident_id', '=', incidentId)
        .groupBy('outbox.status')
        .execute();
      const counts: IncidentMailCounts = { queued: 0, sending: 0, sent: 0, abandoned: 0, firstSentAt: null, lastSentAt: null };
      for (const row of rows) {
        counts[row.status] = count(row.n);
        if (row.status === 'sent') {
          counts.firstSentAt = row.first === null ? null : Number(row.first);
          counts.lastSentAt = row.last === null ? null : Number(row.last);
        }
      }
      return counts;
    },
  };
}
