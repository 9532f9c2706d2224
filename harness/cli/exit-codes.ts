import { EXIT_CODES, type ExitCode } from '../model/verdict.ts';

export type { ExitCode } from '../model/verdict.ts';

/** The exit codes (README "Exit codes"), from the one table in model/verdict.ts. */
export const EXIT_OK = EXIT_CODES.passed;
/** A conformance check or threshold failed. */
export const EXIT_FAILED = EXIT_CODES.failed;
/** The scenario or command line is invalid. */
export const EXIT_INVALID = EXIT_CODES.invalid;
/** The target could not be reached or the run could not be carried out. */
export const EXIT_NOT_CARRIED_OUT = EXIT_CODES.not_carried_out;

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
