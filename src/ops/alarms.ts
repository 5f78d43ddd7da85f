import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';
import type { AuditTrail } from './audit/trail.ts';

export type AlarmKind = 'credential_stuffing_source' | 'credential_stuffing_rate';

export interface Alarm {
  kind: AlarmKind;
  ipPrefix?: string | undefined;
  memberId?: string | undefined;
  data?: Record<string, string | number>;
}

/** Something an operator must look at now: an audit event, a warning in the log and a metric. */
export interface Alarms {
  raise(alarm: Alarm): Promise<void>;
}

export function createAlarms(deps: { audit: AuditTrail; logger: Logger; metrics: Metrics }): Alarms {
  return {
    async raise(alarm) {
      deps.metrics.alarms.inc({ kind: alarm.kind });
      deps.logger.warn({ alarm: alarm.kind, ipPrefix: alarm.ipPrefix, memberId: alarm.memberId, ...alarm.data }, 'security alarm raised');
      await deps.audit.record({
        type: 'alarm.raised',
        memberId: alarm.memberId ?? null,
        ipPrefix: alarm.ipPrefix ?? null,
        data: { kind: alarm.kind, ...alarm.data },
      });
    },
  };
}
