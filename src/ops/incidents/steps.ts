import { randomId } from '../../crypto/random.ts';
import type { Clock } from '../../domain/clock.ts';
import type { IncidentMark, IncidentMemberState } from '../../store/incidents.ts';
import type { Store } from '../../store/store.ts';
import type { AuditTrail } from '../audit/trail.ts';

export const STEP_BATCH = 500;

export interface StepProgress {
  done: number;
  total: number;
}

export interface StepOptions {
  /** Count what the step would do, and change nothing but the timeline. */
  dryRun?: boolean;
  /** Stops after the batch in flight; the next run resumes with the members not done. */
  signal?: AbortSignal;
  /** Called after each committed batch. */
  onProgress?: (progress: StepProgress) => void;
  batchSize?: number;
}

export interface StepResult {
  step: string;
  dryRun: boolean;
  /** Members done by this run (or, for a dry run, that it would do). */
  members: number;
  /** Sessions revoked or mails queued (or that would be). */
  items: number;
  /** Members still not done after this run. */
  remaining: number;
  interrupted: boolean;
}

export interface StepSpec {
  name: 'revoke_sessions' | 'require_resets' | 'notify_members';
  mark: IncidentMark;
  /** The audit event recorded when a run ends, with its counts. */
  auditType: string;
  itemName: 'sessions' | 'resets' | 'mails';
  /** The work for one member, inside the batch's transaction; returns how many items it did. */
  apply(tx: Store, member: IncidentMemberState, now: number): Promise<number>;
  /** For a dry run: how many items the pending members would give. */
  countItems(store: Store, pending: number): Promise<number>;
  afterBatch?(): void;
}

export interface StepDeps {
  store: Store;
  clock: Clock;
  audit: AuditTrail;
}

/**
 * Runs one step over the incident's members not yet done, a batch at a time. Each batch is one
 * transaction that does the work AND sets the step's column on those members, so after any
 * interruption (signal, crash, power cut) a new run starts exactly with the members not done.
 * Audit events are recorded after the transactions, never inside one.
 */
export async function runStep(deps: StepDeps, incidentId: string, spec: StepSpec, options: StepOptions = {}): Promise<StepResult> {
  const { store, clock, audit } = deps;
  const batchSize = options.batchSize ?? STEP_BATCH;
  const dryRun = options.dryRun === true;
  const total = await store.incidents.countPending(incidentId, spec.mark);
  const stepId = randomId();
  await store.incidents.startStep({ id: stepId, incidentId, step: spec.name, startedAt: clock.now(), dryRun });

  if (dryRun) {
    const items = await spec.countItems(store, total);
    await store.incidents.finishStep(stepId, clock.now(), total, total);
    return { step: spec.name, dryRun, members: total, items, remaining: total, interrupted: false };
  }

  await audit.record({ type: 'incident.step_started', data: { incident: incidentId, step: spec.name, pending: total } });
  let after = '';
  let done = 0;
  let items = 0;
  let interrupted = false;
  let failure: unknown;
  try {
    for (;;) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const batch = await store.transaction(async (tx) => {
        const now = clock.now();
        const members = await tx.incidents.pending(incidentId, spec.mark, after, batchSize);
        let batchItems = 0;
        for (const member of members) batchItems += await spec.apply(tx, member, now);
        const marked = await tx.incidents.markDone(incidentId, spec.mark, members.map((m) => m.memberId), now);
        return { last: members.at(-1)?.memberId, marked, batchItems };
      });
      if (batch.last === undefined) break;
      after = batch.last;
      done += batch.marked;
      items += batch.batchItems;
      spec.afterBatch?.();
      options.onProgress?.({ done, total });
    }
  } catch (error) {
    failure = error;
    interrupted = true;
  }

  // What this run did is on the record even when it stopped early: the next run adds the rest.
  const record = async (): Promise<number> => {
    const remaining = await store.incidents.countPending(incidentId, spec.mark);
    await store.incidents.finishStep(stepId, clock.now(), done, remaining);
    await audit.record({
      type: spec.auditType,
      data: { incident: incidentId, members: done, [spec.itemName]: items, remaining, complete: remaining === 0 },
    });
    return remaining;
  };
  if (failure !== undefined) {
    // Best effort: the database may be what failed; the error that stopped the run matters more.
    await record().catch(() => undefined);
    throw failure;
  }
  const remaining = await record();
  return { step: spec.name, dryRun, members: done, items, remaining, interrupted };
}
