import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/load.ts';
import { createBlindIndex } from './crypto/blind-index.ts';
import { createFieldCipher } from './crypto/field-cipher.ts';
import { loadKeyring, type Keyring } from './crypto/keyring.ts';
import { createPasswordHasher } from './crypto/password-hasher.ts';
import { createWorkQueue, type WorkQueue } from './crypto/work-queue.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { createLinks, type FlowDeps } from './flows/deps.ts';
import { createRateLimits } from './limits/rate-limits.ts';
import { createSignInGuard, type SignInGuard } from './limits/sign-in-guard.ts';
import { createStuffingDetector } from './limits/stuffing-detector.ts';
import { createAlarms } from './ops/alarms.ts';
import { createAuditTrail, type AuditTrail } from './ops/audit/trail.ts';
import { createCapabilities } from './ops/maintenance/capabilities.ts';
import { createMetrics, type Metrics } from './ops/metrics.ts';
import { createReadiness, type Readiness } from './ops/readiness.ts';
import { createWebhooks, type Webhooks } from './ops/webhooks/index.ts';
import { connectRedis } from './store/redis.ts';
import { normaliseEmail } from './domain/email.ts';
import { dictionary } from '@zxcvbn-ts/language-common';
import { createBreachedPasswordCheck } from './crypto/breached-passwords.ts';
import { createCommonPasswordList } from './domain/common-passwords.ts';
import { PASSWORD_MAX } from './domain/password-policy.ts';
import { createPasswordPolicy } from './flows/shared/password-policy-port.ts';
import { createMailDispatcher, type MailDispatcher } from './mail/dispatcher.ts';
import { createFileTransport } from './mail/transports/file.ts';
import { createSmtpTransport } from './mail/transports/smtp.ts';
import type { MailTransport } from './mail/transports/transport.ts';
import { openDatabase, type Database } from './store/database.ts';
import { checkKeyringMatches } from './store/keyring-check.ts';
import { migrateToLatest } from './store/migrate.ts';
import { createStore } from './store/store.ts';
import { bridgeMemberChanges } from './store/member-changes-bridge.ts';
import { createSessionCache } from './flows/sessions/session-cache.ts';
import { createSessionTouches } from './flows/sessions/touch-buffer.ts';
import { createLogger } from './logger.ts';
import { createLegacyImport, type LegacyImport } from './ops/import/index.ts';
import { createOidcService, type OidcService } from './oidc/service.ts';
import { createKeyMaintenance, type KeyMaintenance } from './ops/keys/index.ts';

export interface Services {
  config: Readonly<Config>;
  logger: Logger;
  keyring: Keyring;
  database: Database;
  flows: FlowDeps;
  hashQueue: WorkQueue;
  mail: MailDispatcher;
  metrics: Metrics;
  readiness: Readiness;
  audit: AuditTrail;
  webhooks: Webhooks;
  /** `playerpass import …` and the server's background wrapping of imported passwords. */
  legacyImport: LegacyImport;
  /** The OpenID Connect provider, its client registry and signing keys (src/oidc). */
  oidc: OidcService;
  /** Key rotation: the key file watcher (live reload) and the background re-encryption (src/ops/keys). */
  keys: KeyMaintenance;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  /** Benchmarks only: measure sign-in with a different guard (e.g. none) in the same run. */
  signInGuard?: SignInGuard;
  logger?: Logger;
  mailTransport?: MailTransport;
}

/** The one composition root: every long-lived object is made here and handed out. */
export async function buildServices(config: Readonly<Config>, overrides: ServiceOverrides = {}): Promise<Services> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const { keyring, created } = loadKeyring({ keysJson: config.keys, keyFile: config.keyFile });
  if (created) logger.warn({ keyFile: created }, 'created a new key file: back it up and keep it apart from the database');

  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.pgPoolSize });
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    await checkKeyringMatches(database.db, keyring);
  } catch (error) {
    await database.close();
    throw error;
  }

  const cipher = createFieldCipher(keyring);
  const blindIndex = createBlindIndex(keyring);
  const store = createStore(database.db, cipher, blindIndex);
  const sessionCache = createSessionCache({ ttlMs: 5_000, maxEntries: 100_000, spread: 0.5 });
  store.changes.onChange((memberId) => sessionCache.forgetMember(memberId));
  const sessionTouches = createSessionTouches({ sessions: store.sessions, onError: (error) => logger.warn({ err: error }, 'could not record sessions last seen; will record later uses') });
  // `metrics` is made further down; a job can only wait once the service runs.
  const hashQueue = createWorkQueue(config.hashConcurrency, config.hashQueueMax, (ms) => metrics.hashWait.observe(ms / 1000));
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const stopBridge = redis ? await bridgeMemberChanges(store.changes, redis, logger, (memberId) => sessionCache.forgetMember(memberId)) : undefined;
  // Maintenance switches: loaded before the first request, then kept fresh (Redis pub/sub + a 1 s poll).
  const capabilities = createCapabilities({ db: database.db, redis, clock, logger });
  try {
    await capabilities.start();
  } catch (error) {
    await capabilities.stop();
    redis?.disconnect();
    await database.close();
    throw error;
  }
  const metrics = createMetrics({
    hashQueueDepth: () => hashQueue.stats().running + hashQueue.stats().waiting,
    outboxBacklog: async () => {
      const counts = await store.outbox.counts();
      return counts.queued + counts.sending;
    },
  });
  const readiness = createReadiness({ ping: () => store.ping(), db: database.db, redis });
  const webhooks = createWebhooks({ db: database.db, cipher, clock, logger, allowHttp: config.webhooksAllowHttp });
  // Every recorded event of a webhook-able type is then queued for the webhooks subscribed to it.
  const audit = webhooks.publishing(createAuditTrail(database.db, keyring, clock, logger));
  const alarms = createAlarms({ audit, logger, metrics });
  const limits = createRateLimits({ redis, onLimited: (rule) => metrics.rateLimited.inc({ rule }) });
  const passwordPolicy = createPasswordPolicy({
    rules: { minLength: config.passwordMinLength, maxLength: PASSWORD_MAX },
    common: createCommonPasswordList(dictionary['passwords-common']),
    breached: createBreachedPasswordCheck({ url: config.breachedPasswordsUrl, timeoutMs: config.breachedPasswordsTimeoutMs, log: logger }),
  });
  const signInGuard = overrides.signInGuard ?? createSignInGuard(limits, createStuffingDetector({ alarms, clock, redis }));
  const hasher = await createPasswordHasher(config.argon2, keyring, hashQueue);
  const legacyImport = createLegacyImport({ db: database.db, cipher, index: blindIndex, keyring, hasher, hashQueue, clock, audit, logger });
  const transport =
    overrides.mailTransport ??
    (config.smtpUrl
      ? createSmtpTransport(config.smtpUrl)
      : createFileTransport(resolve(config.dataDir, 'mail'), (line) => logger.info(line)));
  const mail = createMailDispatcher({
    outbox: store.outbox,
    transport,
    clock,
    from: config.mailFrom,
    productName: 'playerpass',
    publicUrl: config.publicUrl,
    pollMs: config.mailPollMs,
    logger,
  });

  const minutes = 60_000;
  const flows: FlowDeps = {
    store,
    hasher,
    clock,
    limits,
    signInGuard,
    metrics,
    sessionCache,
    sessionTouches,
    passwordPolicy,
    audit,
    capabilities,
    alarms,
    webauthn: { rpId: new URL(config.publicUrl).hostname, rpName: 'playerpass', origin: new URL(config.publicUrl).origin },
    accountKey: (email) => blindIndex.compute('email', normaliseEmail(email)),
    links: createLinks(config.publicUrl),
    policy: {
      sessionIdleMs: config.sessionIdleMinutes * minutes,
      sessionMaxMs: config.sessionMaxHours * 60 * minutes,
      verifyTokenMs: config.verifyTokenHours * 60 * minutes,
      resetTokenMs: config.resetTokenMinutes * minutes,
      emailChangeTokenMs: config.emailChangeTokenHours * 60 * minutes,
      reportSignInTokenMs: 7 * 24 * 60 * minutes,
      recentAuthMs: 10 * minutes,
      mfaChallengeMs: 5 * minutes,
    },
    mailQueued: () => mail.kick(),
  };
  const oidc = await createOidcService({ db: database.db, cipher, keyring, flows, publicUrl: config.publicUrl, logger });
  // The key file is polled every second, so `playerpass keys …` takes effect without a restart.
  const keys = createKeyMaintenance({ db: database.db, keyring, cipher, index: blindIndex, audit, logger, keyFile: config.keys ? undefined : config.keyFile });

  return {
    config,
    logger,
    keyring,
    database,
    flows,
    hashQueue,
    mail,
    metrics,
    readiness,
    audit,
    webhooks,
    legacyImport,
    oidc,
    keys,
    async close() {
      await sessionTouches.stop();
      await keys.close();
      await oidc.close();
      await legacyImport.idleWrapper.stop();
      await mail.stop();
      await webhooks.dispatcher.stop();
      await transport.close();
      await capabilities.stop();
      stopBridge?.();
      redis?.disconnect();
      await database.close();
    },
  };
}
