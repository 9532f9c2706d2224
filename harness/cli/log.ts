import type { Secrets } from '../scenario/secrets.ts';

/** Console output of a run. Every line is masked: a secret never reaches the terminal or CI log. */
export interface Log {
  /** Progress and results, to stderr so stdout stays clean for piping. */
  info(line: string): void;
  warn(line: string): void;
  /** A live progress line: rewritten in place on a terminal, a plain line otherwise (CI logs). */
  progress(line: string): void;
  /** The final summary, to stdout. */
  result(text: string): void;
  readonly quiet: boolean;
}

export function createLog(secrets: Secrets, opts: { quiet?: boolean } = {}): Log {
  const quiet = opts.quiet ?? false;
  const tty = process.stderr.isTTY === true;
  let live = false;
  const write = (text: string) => {
    // A line after a live progress line starts on a clean line.
    process.stderr.write((live ? '\r\x1b[2K' : '') + text);
    live = false;
  };
  return {
    quiet,
    info: (line) => {
      if (!quiet) write(secrets.mask(line) + '\n');
    },
    warn: (line) => write(secrets.mask(`warning: ${line}`) + '\n'),
    progress: (line) => {
      if (quiet) return;
      if (!tty) return write(secrets.mask(line) + '\n');
      write(secrets.mask(line));
      live = true;
    },
    result: (text) => {
      // A live progress line on the terminal ends before the summary starts.
      if (live) process.stderr.write('\n');
      live = false;
      process.stdout.write(secrets.mask(text.endsWith('\n') ? text : text + '\n'));
    },
  };
}
