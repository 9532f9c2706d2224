import type { AuthControl } from '../client/auth-control.ts';
import type { Plan } from '../plan/plan.ts';
import type { Summary } from '../model/summary.ts';
import { conformancePhase } from './phases/conformance.ts';
import { loadPhase } from './phases/load.ts';
import { overheadPhase } from './phases/overhead.ts';
import { securityPhase } from './phases/security.ts';
import type { Log } from '../cli/log.ts';

/** What a phase gets: the plan, the summary it fills in, and the run's abort signal. */
export interface RunContext {
  plan: Plan;
  summary: Summary;
  /** Aborted on Ctrl-C or when the run must stop; a phase stops promptly and keeps what it saw. */
  signal: AbortSignal;
  log: Log;
  authControl?: AuthControl;
  /** Problems that make the run "could not be carried out" (exit 3), e.g. a target that died. */
  fatal: string[];
  /** Failures that make the run fail (exit 1), one line each. */
  failures: string[];
}

export type Command = 'check' | 'run' | 'probe';

/** One part of a run (conformance, load, overhead, security), in the order it runs. */
export interface Phase {
  name: string;
  /**
   * Whether this phase runs for this command and scenario. Called for every phase before any runs
   * (and by `wsgate validate`): throw a CliError with EXIT_INVALID here for an invalid block.
   */
  enabled(plan: Plan, command: Command): boolean;
  run(ctx: RunContext): Promise<void>;
  /** The metric names this phase measures, so a threshold on them is skipped when the phase does not run. */
  metrics?: RegExp;
}

/** Every phase, in run order. The load engine, overhead and security add theirs here. */
export const PHASES: Phase[] = [conformancePhase, loadPhase, overheadPhase, securityPhase];
