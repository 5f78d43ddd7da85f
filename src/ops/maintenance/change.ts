import type { AuditTrail } from '../audit/trail.ts';
import type { CapabilityActor, CapabilityName, CapabilityState, Capabilities } from './capabilities.ts';

/** Switches a capability and records who did it: the one way the CLI and the admin API change a switch. */
export async function changeCapability(
  deps: { capabilities: Capabilities; audit: AuditTrail },
  change: { name: CapabilityName; state: CapabilityState; message: string | undefined; actor: CapabilityActor },
): Promise<void> {
  await deps.capabilities.set(change.name, change.state, change.message, change.actor);
  // After the write, outside any transaction (see AuditTrail.record). The message is public text,
  // but the trail is kept for years and refuses anything that looks like an address: only whether there was one.
  await deps.audit.record({
    type: 'capability.changed',
    data: { name: change.name, state: change.state, actor: change.actor, withMessage: change.state !== 'on' && Boolean(change.message?.trim()) },
  });
}
