import { ConfigError } from '../config/load.ts';
import { KeyringError } from '../crypto/keyring.ts';
import { KeyringMismatchError } from '../store/keyring-check.ts';

const usage = `usage: playerpass <command>

commands:
  serve [--workers N|auto]  run the HTTP service (migrates the database first)
  migrate   apply database migrations and exit
  audit     verify | head | tail | search the tamper-evident audit trail
  import    members FILE | wrap | status: bring in a legacy member export
  maintenance  status | set <capability> on|off|read_only [--message "…"]: maintenance switches
  canary    add | list canary accounts (any use of one raises an alarm)
  incident  open | revoke-sessions | require-resets | notify | report | list: incident response
  webhooks  add | list | remove signed event webhooks
  clients   add | list | remove OpenID Connect clients (games, sites, game servers)
  keys      status | rotate | add | activate | reencrypt | retire: key rotation (and rotate | list oidc: token signing keys)
  help      show this text

Settings come from PLAYERPASS_* environment variables; see the README.`;

/** Each command's module is loaded only when that command runs: `playerpass help` or a `serve --workers` primary need none of the others. */
async function main(args: string[]): Promise<number> {
  const [command = 'help'] = args;
  const rest = args.slice(1);
  const print = (line: string) => console.log(line);
  switch (command) {
    case 'serve':
      await (await import('./commands/serve.ts')).serve(rest);
      return -1;
    case 'migrate':
      await (await import('./commands/migrate.ts')).migrate(print);
      return 0;
    case 'audit':
      return (await import('./commands/audit.ts')).audit(rest, print);
    case 'import':
      return (await import('./commands/import.ts')).importCommand(rest, print);
    case 'maintenance':
      return (await import('./commands/maintenance.ts')).maintenance(rest, print);
    case 'canary':
      return (await import('./commands/canary.ts')).canary(rest, print);
    case 'incident':
      return (await import('./commands/incident.ts')).incident(rest, print);
    case 'webhooks':
      return (await import('./commands/webhooks.ts')).webhooks(rest, print);
    case 'clients':
      return (await import('./commands/clients.ts')).clients(rest, print);
    case 'keys':
      return (await import('./commands/keys.ts')).keys(rest, print);
    case 'help':
    case '--help':
    case '-h':
      console.log(usage);
      return 0;
    default:
      console.error(`playerpass: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  // Expected configuration problems get one clear line; anything else its stack, for the operator.
  if (error instanceof ConfigError || error instanceof KeyringError || error instanceof KeyringMismatchError) {
    console.error(`playerpass: ${error.message}`);
    process.exit(78);
  }
  console.error(error);
  process.exit(1);
}
