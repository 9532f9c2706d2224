import type { AuthControl } from '../client/auth-control.ts';
import type { CapacityResult, CapacityStep } from '../model/capacity.ts';
import type { ComparisonResult } from '../model/comparison.ts';
import type { CheckResult, ConformanceResult } from '../model/conformance.ts';
import type { LifecycleCheckResult, LifecycleResult } from '../model/lifecycle.ts';
import type { LoadResult, LoadSecond } from '../model/load.ts';
import type { MetricValues, PhaseName } from '../model/metrics.ts';
import type { OverheadResult } from '../model/overhead.ts';
import type { ProbeResult, SecurityResult } from '../model/security.ts';
import type { SessionResult, SessionSummary } from '../model/session.ts';
import type { CapacityProbePlan } from '../plan/capacity.ts';
import type { CompareSetup } from '../plan/compare.ts';
import type { LifecyclePlan } from '../plan/lifecycle.ts';
import type { LoadPlan } from '../plan/load.ts';
import type { OverheadSetup } from '../plan/overhead.ts';
import type { Plan } from '../plan/plan.ts';
import type { SpreadPlan } from '../plan/spread.ts';

/**
 * The phase contract: what a phase gets, what it tells while it runs, and what it returns. A
 * leaf file, so phases and the run that lists them do not import each other.
 */

/**
 * What happens during a run, as it happens. Phases emit these and never print: the CLI turns them
 * into progress lines (autocannon's progressTracker is the model), tests may listen.
 */
export interface RunEvents {
  conformanceStarted?(targets: number, credentials: number): void;
  checked?(result: CheckResult): void;
  sessionStarted?(targets: number): void;
  /** The session checks of one target x credential set, done. */
  sessionChecked?(result: SessionResult): void;
  loadStarted?(load: LoadPlan, spread: SpreadPlan): void;
  /** The load waits for the runners' agreed start (`--start-at`) before its schedule begins. */
  loadWaiting?(startAt: Date): void;
  /** Once a second: that second over every worker, with its p95 time to 101 (ms). */
  loadSecond?(second: LoadSecond, p95: number | undefined): void;
  loadDone?(result: LoadResult): void;
  overheadStarted?(setup: OverheadSetup): void;
  overheadRound?(round: number, of: number): void;
  overheadDone?(result: OverheadResult): void;
  comparisonStarted?(setup: CompareSetup): void;
  comparisonRound?(round: number, of: number): void;
  comparisonDone?(result: ComparisonResult): void;
  capacityStarted?(probe: CapacityProbePlan): void;
  capacityStep?(step: CapacityStep, index: number): void;
  capacityDone?(result: CapacityResult): void;
  securityStarted?(targets: number): void;
  probed?(result: ProbeResult): void;
  lifecycleStarted?(plan: LifecyclePlan): void;
  lifecycleChecked?(result: LifecycleCheckResult): void;
  /** Something a person should know that is not a failure (e.g. two measurements disagree). */
  warning?(message: string): void;
}

export interface PhaseContext {
  plan: Plan;
  /** Aborted on Ctrl-C or when the run must stop; a phase stops promptly and keeps what it saw. */
  signal: AbortSignal;
  authControl?: AuthControl;
  events: RunEvents;
  /** The target's processes, when wsgate started them (bundled fixtures): their CPU joins the saturation verdict. */
  targetProcesses?: () => Promise<number[]>;
  /** When the load's schedule begins: the agreed start of a split run's runners (`--start-at`). */
  startAt?: Date;
  /** The gateway fixtures wsgate started, by fixture name: what the lifecycle checks reload and restart. */
  fixtureGateways?: Readonly<Record<string, FixtureGatewayControl>>;
}

/** One gateway fixture the run started, as the lifecycle checks act on it. */
export interface FixtureGatewayControl {
  /** How its reload is done, in a few words ("nginx -s reload"). */
  reloadHow: string;
  reload(): Promise<void>;
  /** Stop it and start it again on its port with the same options. */
  restart(): Promise<void>;
  processIds(): Promise<number[]>;
}

/** The sections of summary.json a phase fills in. */
export interface PhaseSections {
  conformance?: ConformanceResult;
  session?: SessionSummary;
  load?: LoadResult;
  overhead?: OverheadResult[];
  comparison?: ComparisonResult;
  capacity?: CapacityResult;
  security?: SecurityResult;
  lifecycle?: LifecycleResult;
}

/** What a phase returns: its section, its metrics and what it found wrong. */
export interface PhaseOutput {
  sections: PhaseSections;
  metrics: MetricValues;
  /** Failures that make the run fail (exit 1), one line each. */
  failures: string[];
  /** Problems that make the run "could not be carried out" (exit 3), e.g. a target that died. */
  fatal: string[];
  /** Set when the phase stopped early on its own (not by the run's signal): the run is partial. */
  partialReason?: string;
}

/** One part of a run (conformance, load, overhead, security). Which ones run: plan/phases.ts. */
export interface Phase {
  name: PhaseName;
  run(ctx: PhaseContext): Promise<PhaseOutput>;
}

/** An output with nothing in it yet, for phases to fill. */
export function emptyOutput(): PhaseOutput {
  return { sections: {}, metrics: {}, failures: [], fatal: [] };
}
