import { stagesOf } from '../../plan/arrival-schedule.ts';
import { parseDuration } from '../../scenario/duration.ts';
import type { ScenarioDoc } from '../../scenario/schema.ts';

/** k6 scenarios (and the exec functions they need) for the scenario's `load:` block. */
export interface LoadExport {
  scenarios: Record<string, unknown>;
  /** Extra exported functions the scenarios name in `exec`. */
  functions: string;
}

/**
 * The `load:` block: arrival-rate stages as one k6 `ramping-arrival-rate` scenario running the
 * script's `load` function (credential sets drawn by the same weights; k6 ramps linearly from one
 * stage target to the next, so a jump between wsgate stages becomes a 0 s stage), and held
 * connections as a `ramping-vus` scenario whose iterations each hold one connection.
 */
export function exportLoad(doc: ScenarioDoc, warnings: string[]): LoadExport {
  const block = doc.load;
  if (!block) return { scenarios: {}, functions: '' };
  if (block.targets) warnings.push('load.targets: the k6 script loads every exported target in turn');
  if (block.mix)
    warnings.push('load.mix: the k6 script draws sets by their credentials[].weight; give the weights there to match');
  if (block.workers || block.sourceAddresses)
    warnings.push(
      'load.workers / load.sourceAddresses: k6 spreads load with its own instances (TestRun parallelism), not these',
    );
  const out: LoadExport = { scenarios: {}, functions: '' };
  if (block.arrivalRate) out.scenarios.load = arrivalRateScenario(block.arrivalRate, block.maxInFlight);
  const c = block.connections;
  if (c) {
    const rampUpMs = parseDuration(c.rampUp ?? '10s');
    const holdMs = parseDuration(c.hold);
    const everyMs = parseDuration(c.messageEvery ?? '5s');
    out.scenarios.hold = {
      executor: 'ramping-vus',
      exec: 'hold',
      startVUs: 0,
      stages: [
        { target: c.count, duration: `${rampUpMs}ms` },
        { target: c.count, duration: `${holdMs}ms` },
      ],
      gracefulRampDown: '0s',
      startTime: '10s',
    };
    // Each iteration holds one connection to the end of the hold, so a VU is a held connection.
    out.functions = `/**
 * One held connection (load.connections): messages every ${everyMs} ms, held ${rampUpMs + holdMs} ms at most.
 */
export function hold(): void {
  attempt(TARGETS[exec.vu.idInTest % TARGETS.length], pickSet(HOLD_SETS), ${rampUpMs + holdMs}, ${everyMs});
}

/** Held connections draw only sets that must upgrade, as wsgate's closed model does. */
const HOLD_SETS = SETS.filter((s) => s.expect === 200);
`;
  }
  return out;
}

function arrivalRateScenario(
  block: NonNullable<NonNullable<ScenarioDoc['load']>['arrivalRate']>,
  maxInFlight: number | undefined,
): Record<string, unknown> {
  const stages = stagesOf(block);
  const k6Stages: Array<{ target: number; duration: string }> = [];
  let previous = stages[0]!.fromRate;
  for (const s of stages) {
    if (s.fromRate !== previous) k6Stages.push({ target: s.fromRate, duration: '0s' });
    k6Stages.push({ target: s.toRate, duration: `${s.durationMs}ms` });
    previous = s.toRate;
  }
  const maxVUs = maxInFlight ?? 5000;
  return {
    executor: 'ramping-arrival-rate',
    exec: 'load',
    startRate: stages[0]!.fromRate,
    timeUnit: '1s',
    preAllocatedVUs: Math.min(
      maxVUs,
      Math.max(10, Math.ceil(Math.max(...stages.map((s) => Math.max(s.fromRate, s.toRate))) / 10)),
    ),
    maxVUs,
    stages: k6Stages,
    // After the conformance pass, as `wsgate run` does.
    startTime: '10s',
  };
}
