import type { PhaseName } from '../../model/metrics.ts';
import type { Phase } from '../phase.ts';
import { capacityPhase } from './capacity.ts';
import { comparisonPhase } from './comparison.ts';
import { conformancePhase } from './conformance.ts';
import { lifecyclePhase } from './lifecycle.ts';
import { loadPhase } from './load.ts';
import { overheadPhase } from './overhead.ts';
import { securityPhase } from './security.ts';
import { sessionPhase } from './session.ts';

/** Every phase by name; plan/phases.ts decides which run, in PHASE_NAMES order. */
export const PHASES: Record<PhaseName, Phase> = {
  conformance: conformancePhase,
  session: sessionPhase,
  load: loadPhase,
  overhead: overheadPhase,
  comparison: comparisonPhase,
  capacity: capacityPhase,
  security: securityPhase,
  lifecycle: lifecyclePhase,
};
