import { ConfigError } from '../config/load.ts';
import { KeyringError } from '../crypto/keyring.ts';
import { KeyringMismatchError } from '../store/keyring-check.ts';
import { audit } from './commands/audit.ts';
import { migrate } from './commands/migrate.ts';
import { serve } from './commands/serve.ts';

const usage = `usage: playerpass <command>

commands:
  serve     run the HTTP service (migrates the database first)
  migrate   apply database migrations and exit
  audit     verify | head | tail | search the tamper-evident audit trail
  help      show this text

Settings come from PLAYERPASS_* environment variables; see the README.`;

async function main(args: string[]): Promise<number> {
  const [command = 'help'] = args;
  switch (command) {
    case 'serve':
      await serve();
      return -1;
    case 'migrate':
      await migrate((line) => console.log(line));
      return 0;
    case 'audit':
      return audit(args.slice(1), (line) => console.log(line));
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
