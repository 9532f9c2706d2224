import { authControlFor } from '../client/auth-control.ts';
import { METRICS, type MetricBase, type MetricName, type MetricValues, type PhaseName } from '../model/metrics.ts';
import type { Plan } from '../plan/plan.ts';
import type { FixtureGatewayControl, PhaseSections, RunEvents } from './phase.ts';
import { PHASES } from './phases/index.ts';

export interface RunPhasesOptions {
  phases: readonly PhaseName[];
  /** Aborted on Ctrl-C; the phase running stops promptly and keeps what it saw, later ones do not start. */
  signal: AbortSignal;
  events?: RunEvents;
  /** The target's processes, when wsgate started them. */
  targetProcesses?: () => Promise<number[]>;
  /** When the load's schedule begins (`--start-at`); default as soon as the load phase is ready. */
  startAt?: Date;
  /** The gateway fixtures wsgate started, by fixture name (reload, restart, processes). */
  fixtureGateways?: Readonly<Record<string, FixtureGatewayControl>>;
}

/** What the phases of a run produced, before thresholds are judged and outputs written. */
export interface PhasesRecord {
  sections: PhaseSections;
  metrics: MetricValues;
  failures: string[];
  fatal: string[];
  /** Why the run is partial when a phase stopped early on its own (the signal's reason is the caller's). */
  partialReason?: string;
}

/**
 * Run the given phases of a plan in order and gather their sections and metrics. A phase that
 * throws ends the run as "could not be carried out" with what was measured before it kept.
 */
export async function runPhases(plan: Plan, opts: RunPhasesOptions): Promise<PhasesRecord> {
  const record: PhasesRecord = { sections: {}, metrics: {}, failures: [], fatal: [] };
  const authControl = authControlFor(plan.scenario.doc, plan.fixtureUrls);
  for (const name of opts.phases) {
    if (opts.signal.aborted) break;
    try {
      const out = await PHASES[name].run({
        plan,
        signal: opts.signal,
        authControl,
        events: opts.events ?? {},
        ...(opts.targetProcesses ? { targetProcesses: opts.targetProcesses } : {}),
        ...(opts.startAt ? { startAt: opts.startAt } : {}),
        ...(opts.fixtureGateways ? { fixtureGateways: opts.fixtureGateways } : {}),
      });
      Object.assign(record.sections, out.sections);
      addMetrics(record.metrics, out.metrics);
      record.failures.push(...out.failures);
      // Two phases that find the same target unreachable say so once.
      for (const f of out.fatal) if (!record.fatal.includes(f)) record.fatal.push(f);
      record.partialReason ??= out.partialReason;
    } catch (err) {
      record.fatal.push(`${name} could not be carried out: ${(err as Error).message}`);
      break;
    }
  }
  return record;
}

/** Add a phase's metrics: a counter that several phases write is their sum (model/metrics.ts). */
export function addMetrics(into: MetricValues, from: MetricValues): void {
  for (const [name, value] of Object.entries(from) as Array<[MetricName, number]>) {
    const base = (name in METRICS ? name : name.slice(0, name.lastIndexOf('.'))) as MetricBase;
    const previous = into[name];
    into[name] = previous !== undefined && METRICS[base].kind === 'counter' ? previous + value : value;
  }
}
