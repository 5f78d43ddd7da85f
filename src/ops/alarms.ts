import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';
import type { AuditTrail } from './audit/trail.ts';

export type AlarmKind = 'credential_stuffing_source' | 'credential_stuffing_rate' | 'canary_used';

export interface Alarm {
  kind: AlarmKind;
  ipPrefix?: string | undefined;
  memberId?: string | undefined;
  data?: Record<string, string | number>;
  /** `critical` (a canary was used: member data has leaked) logs at error instead of warn. */
  severity?: 'warning' | 'critical';
}

/** Something an operator must look at now: an audit event, a warning in the log and a metric. */
export interface Alarms {
  raise(alarm: Alarm): Promise<void>;
}

export function createAlarms(deps: { audit: AuditTrail; logger: Logger; metrics: Metrics }): Alarms {
  return {
    async raise(alarm) {
      deps.metrics.alarms.inc({ kind: alarm.kind });
      const logged = { alarm: alarm.kind, ipPrefix: alarm.ipPrefix, memberId: alarm.memberId, ...alarm.data };
      if (alarm.severity === 'critical') deps.logger.error(logged, 'security alarm raised');
      else deps.logger.warn(logged, 'security alarm raised');
      await deps.audit.record({
        type: 'alarm.raised',
        memberId: alarm.memberId ?? null,
        ipPrefix: alarm.ipPrefix ?? null,
        data: { kind: alarm.kind, ...alarm.data },
      });
    },
  };
}
