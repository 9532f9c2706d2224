import { CommanderError } from 'commander';
import { RunError, ScenarioError } from '../model/errors.ts';
import { CliError, EXIT_INVALID, EXIT_NOT_CARRIED_OUT } from './exit-codes.ts';

/**
 * The one place an error becomes an exit code and a message for stderr: invalid input is 2, a run
 * that could not be carried out 3, and anything else an internal error (3, with its stack).
 */
export function exitFor(err: unknown): { code: number; message?: string; internal: boolean } {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0; Commander has printed its message.
    return { code: err.exitCode === 0 ? 0 : EXIT_INVALID, internal: false };
  }
  if (err instanceof ScenarioError)
    return { code: EXIT_INVALID, message: `invalid scenario\n${err.message}`, internal: false };
  if (err instanceof RunError) return { code: EXIT_NOT_CARRIED_OUT, message: err.message, internal: false };
  if (err instanceof CliError) return { code: err.exitCode, message: err.message, internal: false };
  return {
    code: EXIT_NOT_CARRIED_OUT,
    message: `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    internal: true,
  };
}
