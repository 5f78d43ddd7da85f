import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, served at /metrics. Labels never carry personal data. */
export interface Metrics {
  registry: Registry;
  signIns: Counter<'outcome'>;
  rateLimited: Counter<'rule'>;
  alarms: Counter<'kind'>;
  hashQueueDepth: Gauge;
}

export function createMetrics(options: { hashQueueDepth: () => number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'playerpass_process_' });
  return {
    registry,
    signIns: new Counter({ name: 'playerpass_sign_ins_total', help: 'Sign-in attempts by outcome', labelNames: ['outcome'], registers: [registry] }),
    rateLimited: new Counter({ name: 'playerpass_rate_limited_total', help: 'Requests refused by a rate limit, by rule', labelNames: ['rule'], registers: [registry] }),
    alarms: new Counter({ name: 'playerpass_alarms_total', help: 'Security alarms raised, by kind', labelNames: ['kind'], registers: [registry] }),
    hashQueueDepth: new Gauge({
      name: 'playerpass_hash_queue_depth',
      help: 'Password hashes running or waiting',
      registers: [registry],
      collect() {
        this.set(options.hashQueueDepth());
      },
    }),
  };
}
