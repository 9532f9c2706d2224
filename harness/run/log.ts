import type { Secrets } from '../scenario/secrets.ts';

/** Console output of a run. Every line is masked: a secret never reaches the terminal or CI log. */
export interface Log {
  /** Progress and results, to stderr so stdout stays clean for piping. */
  info(line: string): void;
  warn(line: string): void;
  /** The final summary, to stdout. */
  result(text: string): void;
  readonly quiet: boolean;
}

export function createLog(secrets: Secrets, opts: { quiet?: boolean } = {}): Log {
  const quiet = opts.quiet ?? false;
  return {
    quiet,
    info: (line) => {
      if (!quiet) process.stderr.write(secrets.mask(line) + '\n');
    },
    warn: (line) => process.stderr.write(secrets.mask(`warning: ${line}`) + '\n'),
    result: (text) => process.stdout.write(secrets.mask(text.endsWith('\n') ? text : text + '\n')),
  };
}
