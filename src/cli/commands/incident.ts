import { accessSync, constants, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../logger.ts';
import { IncidentError, parseCategories, parseScope, parseWindow } from '../../ops/incidents/input.ts';
import { CATEGORY_LABELS, formatReport } from '../../ops/incidents/report.ts';
import { describeScope, readIdList } from '../../ops/incidents/scope.ts';
import { createIncidentService, type IncidentService } from '../../ops/incidents/service.ts';
import type { StepOptions, StepResult } from '../../ops/incidents/steps.ts';
import { buildServices, type Services } from '../../services.ts';
import { createProgress } from '../progress.ts';

const usage = `usage: playerpass incident <command> [options]
  open --title T --window FROM..TO --data names,emails,birthdates,password_hashes
       [--scope all|created-before:DATE|signed-in-within|ids:FILE] [--contact ADDR] [--by NAME]
                                   freeze the affected members; prints the id and counts per data category
  revoke-sessions ID [--dry-run]   sign the affected members out everywhere
  require-resets ID [--dry-run]    require a new password at their next sign-in (a reset link is mailed then)
  notify ID [--dry-run] [--template FILE] [--send]
                                   queue the notice to each affected member (FILE: plain text with
                                   {{placeholders}}); the server's mail worker sends it, or --send here
  report ID [--json]               a summary for the regulator: counts, measures, timeline
  list                             every incident

Each step works in batches and can be interrupted (Ctrl-C) and run again: it resumes with the
members not yet done, and never does a member twice.`;

const options = {
  title: { type: 'string' },
  window: { type: 'string' },
  data: { type: 'string' },
  scope: { type: 'string' },
  contact: { type: 'string' },
  by: { type: 'string' },
  template: { type: 'string' },
  'dry-run': { type: 'boolean' },
  send: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true }>>['values'];
const VERBS = ['open', 'revoke-sessions', 'require-resets', 'notify', 'report', 'list'];

/** `playerpass incident …`: 0 when done, 1 when refused or interrupted, 2 on bad usage. */
export async function incident(args: string[], print: (line: string) => void): Promise<number> {
  const [verb = '', ...rest] = args;
  let values: Values;
  let id = '';
  try {
    if (!VERBS.includes(verb)) throw new IncidentError(`unknown incident command "${verb}"`);
    const parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
    values = parsed.values;
    const needsId = !['open', 'list'].includes(verb);
    if (parsed.positionals.length !== (needsId ? 1 : 0)) throw new IncidentError(needsId ? `${verb} needs the incident id` : `${verb} takes no id`);
    id = parsed.positionals[0] ?? '';
    if (verb === 'open' && (!values.title || !values.window || !values.data)) throw new IncidentError('open needs --title, --window and --data');
  } catch (error) {
    print(`playerpass incident: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }

  const config = loadConfig();
  // Logs go to stderr, warnings and worse only: stdout is the operator's report.
  const level = ['error', 'fatal', 'silent'].includes(config.logLevel) ? config.logLevel : 'warn';
  const services = await buildServices(config, { logger: createLogger(level, process.stderr) });
  const incidents = createIncidentService({
    store: services.flows.store,
    clock: services.flows.clock,
    audit: services.audit,
    defaultContact: config.mailFrom,
    mail: { productName: 'playerpass', publicUrl: config.publicUrl },
    mailQueued: () => services.mail.kick(),
  });
  try {
    switch (verb) {
      case 'open':
        return await open(incidents, values, print);
      case 'list':
        for (const entry of await incidents.list()) {
          print(`${entry.id}  ${new Date(entry.openedAt).toISOString()}  ${entry.status}  ${entry.counts.members ?? 0} members  ${entry.title}`);
        }
        return 0;
      case 'report': {
        const report = await incidents.report(id);
        print(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
        return 0;
      }
      case 'revoke-sessions':
        return await step('revoking sessions', (o) => incidents.revokeSessions(id, o), values, print);
      case 'require-resets':
        return await step('requiring resets', (o) => incidents.requireResets(id, o), values, print);
      default:
        return await notify(services, incidents, id, values, print);
    }
  } catch (error) {
    if (!(error instanceof IncidentError)) throw error;
    print(`playerpass incident: ${error.message}`);
    return 1;
  } finally {
    await services.close();
  }
}

async function open(incidents: IncidentService, values: Values, print: (line: string) => void): Promise<number> {
  const scope = parseScope(values.scope ?? 'all', readIdList);
  if (scope.kind === 'id_list') readable(scope.source);
  const progress = createProgress('scoping');
  const opened = await incidents.openIncident({
    title: values.title!,
    window: parseWindow(values.window!),
    categories: parseCategories(values.data!),
    scope,
    contact: values.contact,
    createdBy: values.by ?? operatorName(),
    onProgress: (n) => progress.update(n),
  });
  progress.finish(`scoped ${opened.counts.members ?? 0} members`);
  print(`incident ${opened.id} opened: ${opened.title}`);
  print(`scope: ${describeScope(opened.scopeKind, opened.scopeArg)}: ${opened.counts.members ?? 0} members`);
  print('affected members per data category:');
  for (const category of opened.dataCategories) print(`  ${category.padEnd(16)} ${String(opened.counts[category] ?? 0).padStart(9)}  ${CATEGORY_LABELS[category]}`);
  print(`next (each with --dry-run first if you like):`);
  for (const next of ['revoke-sessions', 'require-resets', 'notify']) print(`  playerpass incident ${next} ${opened.id}`);
  return 0;
}

/** Runs a step with a progress bar; the first Ctrl-C stops after the batch in flight. */
async function step(label: string, run: (options: StepOptions) => Promise<StepResult>, values: Values, print: (line: string) => void): Promise<number> {
  const dryRun = values['dry-run'] === true;
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130); // a second Ctrl-C: the open batch rolls back
    process.stderr.write('\nstopping after the batch in flight (Ctrl-C again to stop at once)…\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  const progress = createProgress(label);
  try {
    const result = await run({ dryRun, signal: abort.signal, onProgress: ({ done, total }) => progress.update(done, total) });
    const items = result.step === 'revoke_sessions' ? `, ${result.items} sessions` : result.step === 'notify_members' ? `, ${result.items} notices` : '';
    if (dryRun) {
      progress.finish(`dry run: would do ${result.members} members${items}; nothing was changed`);
    } else {
      progress.finish(`${label}: done for ${result.members} members${items}; ${result.remaining} remaining`);
    }
    if (result.interrupted) print('interrupted: run the same command again to resume with the members not done');
    return result.interrupted ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

async function notify(services: Services, incidents: IncidentService, id: string, values: Values, print: (line: string) => void): Promise<number> {
  const template = values.template === undefined ? undefined : readFileSync(readable(values.template), 'utf8');
  if (values['dry-run']) {
    print(await incidents.previewNotice(id, template));
    print('');
  }
  const code = await step('queuing notices', (o) => incidents.notifyMembers(id, { ...o, template }), values, print);
  if (code !== 0 || values['dry-run']) return code;
  if (!values.send) {
    print('notices are queued: the running server\'s mail worker sends them (or run again with --send)');
    return 0;
  }
  return send(services, incidents, id, print);
}

/** Drains the outbox in this process, for an operator who runs no server. */
async function send(services: Services, incidents: IncidentService, id: string, print: (line: string) => void): Promise<number> {
  const progress = createProgress('sending');
  const counts = async () => (await incidents.report(id)).mail;
  const start = await counts();
  const total = start.queued + start.sending + start.sent + start.abandoned;
  const onSignal = () => void services.mail.stop();
  process.once('SIGINT', onSignal);
  const timer = setInterval(() => {
    void counts().then((c) => progress.update(c.sent + c.abandoned, total), () => undefined);
  }, 500);
  try {
    await services.mail.drain();
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
  }
  const end = await counts();
  progress.finish(`sent ${end.sent} of ${total} notices; ${end.queued + end.sending} waiting for a retry, ${end.abandoned} undeliverable`);
  if (end.queued + end.sending > 0) print('the rest is retried by the server\'s mail worker, or run "incident notify ID --send" again later');
  return 0;
}

function operatorName(): string {
  try {
    return process.env.USER || userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

function readable(path: string): string {
  try {
    accessSync(path, constants.R_OK);
    return path;
  } catch {
    throw new IncidentError(`cannot read ${path}`);
  }
}
