/** DESIGN.md exit codes. */
export const EXIT_OK = 0;
/** A conformance check or threshold failed. */
export const EXIT_FAILED = 1;
/** The scenario or command line is invalid. */
export const EXIT_INVALID = 2;
/** The target could not be reached or the run could not be carried out. */
export const EXIT_UNREACHABLE = 3;

export type ExitCode = typeof EXIT_OK | typeof EXIT_FAILED | typeof EXIT_INVALID | typeof EXIT_UNREACHABLE;

/** An error that ends the command with a given exit code and a message meant for the user. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
