import { stagesOf } from '../../load/arrival-schedule.ts';
import type { ScenarioDoc } from '../../scenario/schema.ts';

/** k6 scenarios (and the exec functions they need) for the scenario's `load:` block. */
export interface LoadExport {
  scenarios: Record<string, unknown>;
  /** Extra exported functions the scenarios name in `exec`. */
  functions: string;
}

/**
 * The `load:` block's arrival-rate stages as one k6 `ramping-arrival-rate` scenario running the
 * script's `load` function (credential sets drawn by the same weights). k6 ramps linearly from one
 * stage target to the next, so a jump between wsgate stages becomes a 0 s stage.
 */
export function exportLoad(doc: ScenarioDoc, warnings: string[]): LoadExport {
  const block = doc.load;
  if (!block) return { scenarios: {}, functions: '' };
  if (block.targets) warnings.push('load.targets: the k6 script loads every exported target in turn');
  if (block.mix) warnings.push('load.mix: the k6 script draws sets by their credentials[].weight; give the weights there to match');
  const stages = stagesOf(block.arrivalRate);
  const k6Stages: Array<{ target: number; duration: string }> = [];
  let previous = stages[0]!.fromRate;
  for (const s of stages) {
    if (s.fromRate !== previous) k6Stages.push({ target: s.fromRate, duration: '0s' });
    k6Stages.push({ target: s.toRate, duration: `${s.durationMs}ms` });
    previous = s.toRate;
  }
  const maxVUs = block.maxInFlight ?? 5000;
  return {
    scenarios: {
      load: {
        executor: 'ramping-arrival-rate',
        exec: 'load',
        startRate: stages[0]!.fromRate,
        timeUnit: '1s',
        preAllocatedVUs: Math.min(maxVUs, Math.max(10, Math.ceil(Math.max(...stages.map((s) => Math.max(s.fromRate, s.toRate))) / 10))),
        maxVUs,
        stages: k6Stages,
        // After the conformance pass, as `wsgate run` does.
        startTime: '10s',
      },
    },
    functions: '',
  };
}
