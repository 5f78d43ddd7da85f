import { loadConfig } from '../../config/load.ts';
import { migrate } from './migrate.ts';
import { isWorkerPrimary, parseWorkers, superviseWorkers } from './workers.ts';

/** `playerpass serve`: migrate, start the mail and webhook workers, listen; stop cleanly on SIGINT/SIGTERM. */
export async function serve(args: string[] = []): Promise<void> {
  const config = loadConfig();
  const workers = parseWorkers(args);
  if (isWorkerPrimary(workers)) {
    // Migrate once here, so the workers never race each other to do it.
    await migrate((line) => console.log(line));
    superviseWorkers(workers, config, (line) => console.log(line));
    return;
  }
  // Loaded here, not at the top: a supervising primary never serves, so it never loads the app.
  const [{ buildServices }, { buildApp }] = await Promise.all([import('../../services.ts'), import('../../app.ts')]);
  const services = await buildServices(config);
  const app = await buildApp(services);
  services.mail.start();
  services.webhooks.dispatcher.start();
  // Wraps imported legacy passwords while the hash queue is idle (src/ops/import/wrap-job.ts).
  services.legacyImport.idleWrapper.start();
  // Moves stored data onto the active keys, batch by batch, now and after every key change (src/ops/keys).
  services.keys.reencryption.start();
  await app.listen({ port: config.port, host: config.host });
  services.logger.info(
    {
      url: config.publicUrl,
      database: services.database.dialect === 'sqlite' ? services.database.sqlitePath : 'postgresql',
      keys: config.keys ? 'PLAYERPASS_KEYS' : config.keyFile,
      mail: config.smtpUrl ? 'smtp' : `files in ${config.dataDir}/mail`,
    },
    'playerpass is ready',
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    services.logger.info({ signal }, 'stopping');
    await app.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
