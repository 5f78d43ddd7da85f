import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BlindIndex } from '../../crypto/blind-index.ts';
import type { FieldCipher } from '../../crypto/field-cipher.ts';
import { watchKeyFile } from '../../crypto/keyring-file.ts';
import { keyPurposes, type ReloadableKeyring } from '../../crypto/keyring.ts';
import type { Tables } from '../../store/tables.ts';
import type { AuditTrail } from '../audit/trail.ts';
import { createBackgroundReencryption, type BackgroundReencryption } from './reencrypt.ts';
import { keyUsage, type PurposeUsage } from './usage.ts';

/** Key rotation as services.ts hands it out (see README "Rotating keys"). */
export interface KeyMaintenance {
  /**
   * Re-reads the key file now (a watcher does it every second by itself); true when the keys
   * changed. With PLAYERPASS_KEYS there is no file: keys change on restart only, and this is false.
   */
  reload(): boolean;
  /** Re-encryption and blind-index recomputation, in the background (started by `serve`). */
  reencryption: BackgroundReencryption;
  usage(): Promise<PurposeUsage[]>;
  close(): Promise<void>;
}

export function createKeyMaintenance(deps: {
  db: Kysely<Tables>;
  keyring: ReloadableKeyring;
  cipher: FieldCipher;
  index: BlindIndex;
  audit: AuditTrail;
  logger: Logger;
  /** Undefined with PLAYERPASS_KEYS. */
  keyFile: string | undefined;
}): KeyMaintenance {
  const { logger, keyring } = deps;
  const reencryption = createBackgroundReencryption(deps);
  const activeVersions = () => Object.fromEntries(keyPurposes.map((purpose) => [purpose, keyring.current(purpose).version]));
  const watcher = deps.keyFile
    ? watchKeyFile(deps.keyFile, keyring, {
        changed() {
          const active = activeVersions();
          logger.info({ active }, 'key file changed: keys reloaded');
          deps.audit.record({ type: 'keys.reloaded', data: active }).catch((error: unknown) => logger.warn({ err: error }, 'could not audit a key reload'));
          reencryption.kick();
        },
        failed(error) {
          logger.error({ err: error }, 'key file changed but could not be loaded: still using the keys loaded before');
        },
      })
    : undefined;
  return {
    reload: () => watcher?.reload() ?? false,
    reencryption,
    usage: () => keyUsage(deps.db, keyring),
    async close() {
      watcher?.stop();
      await reencryption.stop();
    },
  };
}
