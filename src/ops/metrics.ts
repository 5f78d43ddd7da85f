import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, served at /metrics. Labels never carry personal data. */
export interface Metrics {
  registry: Registry;
  signIns: Counter<'outcome'>;
  rateLimited: Counter<'rule'>;
  alarms: Counter<'kind'>;
  hashQueueDepth: Gauge;
  /** Seconds a password hash waited for a free hashing slot (only hashes that had to wait). */
  hashWait: Histogram;
  /** By route pattern (`/api/v1/me/sessions/:id`, never the URL itself), method and status code. */
  httpRequests: Histogram<'method' | 'route' | 'status'>;
}

export interface MetricSources {
  hashQueueDepth: () => number;
  /** Mails queued or being sent; read at scrape time. */
  outboxBacklog?: () => Promise<number>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'playerpass_process_' });
  const { outboxBacklog } = sources;
  if (outboxBacklog) {
    new Gauge({
      name: 'playerpass_outbox_backlog',
      help: 'Mails queued or being sent',
      registers: [registry],
      async collect() {
        this.set(await outboxBacklog());
      },
    });
  }
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
        this.set(sources.hashQueueDepth());
      },
    }),
    hashWait: new Histogram({
      name: 'playerpass_hash_queue_wait_seconds',
      help: 'Time a password hash waited for a hashing slot',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    httpRequests: new Histogram({
      name: 'playerpass_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}
