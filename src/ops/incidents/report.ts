import type { Incident, IncidentMailCounts, IncidentProgress, IncidentStep } from '../../store/incidents.ts';
import { describeScope } from './scope.ts';

/** What a regulator's notice needs (GDPR Art. 33: nature, categories and numbers, measures, contact). */
export interface IncidentReport {
  incident: Incident;
  progress: IncidentProgress;
  steps: IncidentStep[];
  mail: IncidentMailCounts;
}

export const CATEGORY_LABELS: Readonly<Record<string, string>> = Object.freeze({
  names: 'display names',
  emails: 'email addresses',
  birthdates: 'dates of birth',
  password_hashes: 'password hashes (argon2id with a secret pepper; passwords are never stored)',
});

const STEP_LABELS: Readonly<Record<string, string>> = Object.freeze({
  open: 'incident opened, scope frozen',
  revoke_sessions: 'sessions revoked',
  require_resets: 'password reset required',
  notify_members: 'notices queued',
});

const iso = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function stepLine(step: IncidentStep): string {
  const label = STEP_LABELS[step.step] ?? step.step;
  const what = step.dryRun ? `dry run of "${label}": would do ${step.count ?? 0} members` : label;
  if (step.finishedAt === null) return `  ${iso(step.startedAt)}  ${what}: started, did not finish (interrupted)`;
  const counted = step.dryRun ? '' : `: ${step.count ?? 0} members`;
  const left = !step.dryRun && step.remaining ? `, ${step.remaining} left for a later run` : '';
  return `  ${iso(step.startedAt)}  ${what}${counted}${left} (finished ${iso(step.finishedAt)})`;
}

export function formatReport(report: IncidentReport): string {
  const { incident, progress, steps, mail } = report;
  const members = incident.counts.members ?? progress.members;
  const of = (n: number) => `${n} of ${members} members`;
  const lines = [
    `Security incident ${incident.id}`,
    `Title:              ${incident.title}`,
    `Status:             ${incident.status === 'open' ? 'open' : 'interrupted while scoping (incomplete)'}`,
    `Opened:             ${iso(incident.openedAt)} by ${incident.createdBy}`,
    `Incident window:    ${iso(incident.windowFrom)} to ${iso(incident.windowTo)}`,
    `Scope:              ${describeScope(incident.scopeKind, incident.scopeArg)} (excluding deleted and canary accounts)`,
    `Contact point:      ${incident.contact}`,
    `Affected members:   ${members}`,
    'Data involved (members affected per category):',
    ...incident.dataCategories.map((c) => `  ${String(incident.counts[c] ?? 0).padStart(9)}  ${CATEGORY_LABELS[c] ?? c}`),
    'Measures taken:',
    `  sessions revoked:            ${of(progress.revoked)}`,
    `  new password required:       ${of(progress.resetRequired)}`,
    `  notified (notice queued):    ${of(progress.notified)}`,
    `Notification mails:  ${mail.sent} sent, ${mail.queued + mail.sending} waiting, ${mail.abandoned} undeliverable` +
      (mail.sent > 0 ? ` (first sent ${iso(mail.firstSentAt)}, last ${iso(mail.lastSentAt)})` : ''),
    'Timeline (UTC):',
    ...steps.map(stepLine),
  ];
  return lines.join('\n');
}
