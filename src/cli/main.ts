import { ConfigError } from '../config/load.ts';
import { KeyringError } from '../crypto/keyring.ts';
import { KeyringMismatchError } from '../store/keyring-check.ts';
import { audit } from './commands/audit.ts';
import { canary } from './commands/canary.ts';
import { clients } from './commands/clients.ts';
import { importCommand } from './commands/import.ts';
import { incident } from './commands/incident.ts';
import { keys } from './commands/keys.ts';
import { maintenance } from './commands/maintenance.ts';
import { migrate } from './commands/migrate.ts';
import { serve } from './commands/serve.ts';
import { webhooks } from './commands/webhooks.ts';

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

async function main(args: string[]): Promise<number> {
  const [command = 'help'] = args;
  switch (command) {
    case 'serve':
      await serve(args.slice(1));
      return -1;
    case 'migrate':
      await migrate((line) => console.log(line));
      return 0;
    case 'audit':
      return audit(args.slice(1), (line) => console.log(line));
    case 'import':
      return importCommand(args.slice(1), (line) => console.log(line));
    case 'maintenance':
      return maintenance(args.slice(1), (line) => console.log(line));
    case 'canary':
      return canary(args.slice(1), (line) => console.log(line));
    case 'incident':
      return incident(args.slice(1), (line) => console.log(line));
    case 'webhooks':
      return webhooks(args.slice(1), (line) => console.log(line));
    case 'clients':
      return clients(args.slice(1), (line) => console.log(line));
    case 'keys':
      return keys(args.slice(1), (line) => console.log(line));
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
