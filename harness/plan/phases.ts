import type { SegmentRef } from '../model/merge.ts';
import type { PhaseName } from '../model/metrics.ts';
import type { ScenarioDoc } from '../scenario/schema.ts';
import { isDesignated, WHOLE } from './segment.ts';

/** The commands that run a scenario. */
export type Command = 'run' | 'check' | 'probe' | 'capacity';

/**
 * The phases a command runs for a scenario, in run order: `check` is conformance and the session
 * checks (and the security block when present), `probe` the security probes, `run` everything the
 * scenario has (the lifecycle checks last: they revoke credentials, slow the auth service and
 * restart gateways). A segment of a split run (`--segment i/N`) runs its share of the load; what
 * must happen once per scenario (conformance, session, overhead, comparison, security probes,
 * lifecycle) runs on the first segment only.
 */
export function phasesFor(command: Command, doc: ScenarioDoc, segment: SegmentRef = WHOLE): PhaseName[] {
  if (!isDesignated(segment)) return command === 'run' && doc.load ? ['load'] : [];
  const phases: PhaseName[] = [];
  if (command === 'check' || command === 'run') phases.push('conformance');
  if ((command === 'check' || command === 'run') && doc.session !== false) phases.push('session');
  if (command === 'run' && doc.load) phases.push('load');
  if (command === 'run' && doc.overhead) phases.push('overhead');
  if (command === 'run' && doc.compare) phases.push('comparison');
  if (command === 'capacity') phases.push('capacity');
  if (command === 'probe' || ((command === 'run' || command === 'check') && doc.security)) phases.push('security');
  if (command === 'run' && doc.lifecycle) phases.push('lifecycle');
  return phases;
}
