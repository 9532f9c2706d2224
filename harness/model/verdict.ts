/**
 * How a run ends (README "Exit codes"). The one table from a run's status to its exit code:
 * summary.json carries the code, and the CLI exits with it.
 */
export const EXIT_CODES = {
  /** Every check and threshold held. */
  passed: 0,
  /** A conformance check, security probe or threshold failed. */
  failed: 1,
  /** The scenario or the command line is invalid; nothing was written. */
  invalid: 2,
  /** A target could not be reached, or the run could not be carried out or was interrupted. */
  not_carried_out: 3,
} as const;

export type RunStatus = keyof typeof EXIT_CODES;
export type ExitCode = (typeof EXIT_CODES)[RunStatus];

/** The status of a finished run: anything fatal wins over failures. */
export function runStatus(fatal: readonly string[], failures: readonly string[]): Exclude<RunStatus, 'invalid'> {
  if (fatal.length > 0) return 'not_carried_out';
  return failures.length > 0 ? 'failed' : 'passed';
}
