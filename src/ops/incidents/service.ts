import { randomId } from '../../crypto/random.ts';
import type { Clock } from '../../domain/clock.ts';
import { checkNoticeTemplate } from '../../mail/templates/incident-notice.ts';
import { renderMail, type MailContext } from '../../mail/templates/index.ts';
import { incidentMailKey, type Incident, type IncidentMemberState } from '../../store/incidents.ts';
import type { Store } from '../../store/store.ts';
import type { AuditTrail } from '../audit/trail.ts';
import { checkText, IncidentError, type DataCategory, type ScopeSpec } from './input.ts';
import type { IncidentReport } from './report.ts';
import { scopeBatches } from './scope.ts';
import { runStep, STEP_BATCH, type StepOptions, type StepResult, type StepSpec } from './steps.ts';

export interface IncidentDeps {
  store: Store;
  clock: Clock;
  audit: AuditTrail;
  /** The contact point when the operator names none: the mail-from address. */
  defaultContact: string;
  mail: MailContext;
  /** Wakes a running mail worker after notices were queued. */
  mailQueued(): void;
}

export interface OpenIncidentInput {
  title: string;
  window: { from: number; to: number };
  categories: DataCategory[];
  scope: ScopeSpec;
  contact?: string | undefined;
  createdBy: string;
  onProgress?: (scoped: number) => void;
}

export interface NotifyOptions extends StepOptions {
  /** The operator's plain-text notice with {{placeholders}}; kept on the incident for later runs. */
  template?: string | undefined;
}

export interface IncidentService {
  openIncident(input: OpenIncidentInput): Promise<Incident>;
  revokeSessions(incidentId: string, options?: StepOptions): Promise<StepResult>;
  requireResets(incidentId: string, options?: StepOptions): Promise<StepResult>;
  notifyMembers(incidentId: string, options?: NotifyOptions): Promise<StepResult>;
  /** The notice as a member would read it, with placeholders for their details. */
  previewNotice(incidentId: string, template?: string): Promise<string>;
  report(incidentId: string): Promise<IncidentReport>;
  list(): Promise<Incident[]>;
}

export function createIncidentService(deps: IncidentDeps): IncidentService {
  const { store, clock, audit } = deps;

  async function openOne(incidentId: string): Promise<Incident> {
    const incident = await store.incidents.find(incidentId);
    if (!incident) throw new IncidentError(`no incident ${incidentId}`);
    if (incident.status !== 'open') throw new IncidentError(`incident ${incidentId} was interrupted while its scope was taken: open a new one`);
    return incident;
  }

  function noticeData(incident: Incident, member: { displayName: string }, state: Pick<IncidentMemberState, 'revokedAt' | 'resetRequiredAt'>, template: string | null) {
    return {
      displayName: member.displayName,
      title: incident.title,
      windowFrom: new Date(incident.windowFrom).toUTCString(),
      windowTo: new Date(incident.windowTo).toUTCString(),
      data: incident.dataCategories.join(','),
      signedOut: state.revokedAt !== null ? 'yes' : 'no',
      mustReset: state.resetRequiredAt !== null ? 'yes' : 'no',
      contact: incident.contact,
      ...(template !== null ? { textTemplate: template } : {}),
    };
  }

  function checkTemplate(template: string | undefined): void {
    const problem = template === undefined ? undefined : checkNoticeTemplate(template);
    if (problem) throw new IncidentError(problem);
  }

  return {
    async openIncident(input) {
      const incident: Incident = {
        // A prefix, so an id never starts with '-' and reads as an option on the command line.
        id: `inc_${randomId()}`,
        title: checkText(input.title, 'the title', 200),
        openedAt: clock.now(),
        windowFrom: input.window.from,
        windowTo: input.window.to,
        dataCategories: input.categories,
        scopeKind: input.scope.kind,
        scopeArg:
          input.scope.kind === 'created_before' ? new Date(input.scope.before).toISOString() : input.scope.kind === 'id_list' ? input.scope.source : null,
        contact: checkText(input.contact ?? deps.defaultContact, 'the contact', 200),
        status: 'scoping',
        createdBy: input.createdBy,
        counts: {},
        noticeTemplate: null,
      };
      if (incident.dataCategories.length === 0) throw new IncidentError('name the data involved');
      await store.incidents.create(incident);
      const stepId = randomId();
      await store.incidents.startStep({ id: stepId, incidentId: incident.id, step: 'open', startedAt: incident.openedAt, dryRun: false });

      // One short transaction per batch, so a live server's writes never wait long behind the scan.
      // Canaries are no one: they would only inflate the count a regulator is given. (Few, and
      // only recognisable with the index key, so they are listed once up front.)
      const canaries = new Set(await store.members.canaryIds());
      let scoped = 0;
      for await (const ids of scopeBatches(store.incidents, input.scope, input.window, STEP_BATCH, canaries)) {
        await store.transaction((tx) => tx.incidents.addMembers(incident.id, ids));
        scoped += ids.length;
        input.onProgress?.(scoped);
      }
      const { members, withPassword } = await store.incidents.scopeCounts(incident.id);
      const perCategory: Record<DataCategory, number> = { names: members, emails: members, birthdates: members, password_hashes: withPassword };
      const counts: Record<string, number> = { members };
      for (const category of incident.dataCategories) counts[category] = perCategory[category as DataCategory];
      await store.incidents.update(incident.id, { status: 'open', counts });
      await store.incidents.finishStep(stepId, clock.now(), members, 0);
      await audit.record({
        type: 'incident.opened',
        data: { incident: incident.id, scope: incident.scopeKind, categories: incident.dataCategories.join(','), ...counts },
      });
      return { ...incident, status: 'open', counts };
    },

    async revokeSessions(incidentId, options) {
      await openOne(incidentId);
      const spec: StepSpec = {
        name: 'revoke_sessions',
        mark: 'revoked_at',
        auditType: 'incident.sessions_revoked',
        itemName: 'sessions',
        apply: (tx, member, now) => tx.sessions.revokeAll(member.memberId, now),
        countItems: (s) => s.incidents.activeSessionsOfPending(incidentId),
      };
      return runStep(deps, incidentId, spec, options);
    },

    async requireResets(incidentId, options) {
      await openOne(incidentId);
      const spec: StepSpec = {
        name: 'require_resets',
        mark: 'reset_required_at',
        auditType: 'incident.resets_required',
        itemName: 'resets',
        // Sign-in then refuses the old password and mails a reset link instead.
        apply: async (tx, member, now) => {
          await tx.members.setFlags(member.memberId, { mustReset: true }, now);
          return 1;
        },
        countItems: async (_s, pending) => pending,
      };
      return runStep(deps, incidentId, spec, options);
    },

    async notifyMembers(incidentId, options = {}) {
      let incident = await openOne(incidentId);
      checkTemplate(options.template);
      if (options.template !== undefined && !options.dryRun) {
        await store.incidents.update(incidentId, { noticeTemplate: options.template });
        incident = { ...incident, noticeTemplate: options.template };
      }
      const template = options.template ?? incident.noticeTemplate;
      const spec: StepSpec = {
        name: 'notify_members',
        mark: 'notified_at',
        auditType: 'incident.members_notified',
        itemName: 'mails',
        apply: async (tx, state, now) => {
          const member = await tx.members.findById(state.memberId);
          // Deleted since the incident was opened: nobody to write to; marked done all the same.
          if (!member || member.status === 'deleted') return 0;
          // The key makes a second enqueue for the same member a no-op, whatever the marks say.
          await tx.outbox.enqueue({ template: 'incident_notice', to: member.email, data: noticeData(incident, member, state, template) }, now, incidentMailKey(incidentId, member.id));
          return 1;
        },
        countItems: async (_s, pending) => pending,
        afterBatch: () => deps.mailQueued(),
      };
      return runStep(deps, incidentId, spec, options);
    },

    async previewNotice(incidentId, template) {
      const incident = await openOne(incidentId);
      checkTemplate(template);
      const progress = await store.incidents.progress(incidentId);
      const data = noticeData(
        incident,
        { displayName: '[display name]' },
        { revokedAt: progress.revoked > 0 ? 1 : null, resetRequiredAt: progress.resetRequired > 0 ? 1 : null },
        template ?? incident.noticeTemplate,
      );
      const mail = renderMail('incident_notice', data, deps.mail);
      return `Subject: ${mail.subject}\n\n${mail.text}`;
    },

    async report(incidentId) {
      const incident = await store.incidents.find(incidentId);
      if (!incident) throw new IncidentError(`no incident ${incidentId}`);
      const [progress, steps, mail] = await Promise.all([
        store.incidents.progress(incidentId),
        store.incidents.steps(incidentId),
        store.incidents.mailCounts(incidentId),
      ]);
      return { incident, progress, steps, mail };
    },

    list: () => store.incidents.list(),
  };
}
