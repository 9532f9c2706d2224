import { type Command, InvalidArgumentError } from 'commander';
import { appendToHistory } from '../../history/history.ts';
import type { SegmentRef } from '../../model/merge.ts';
import type { Command as RunCommand } from '../../plan/phases.ts';
import { parseSegment } from '../../plan/segment.ts';
import { readScenario } from '../../scenario/read.ts';
import { executeRun, type RunOptions } from '../execute.ts';
import { createLog } from '../log.ts';

interface RunFlags {
  out?: string;
  history?: string;
  reports: string;
  quiet?: boolean;
  trace?: number;
}

/** Attempts traced per target x credential set at most: a trace is for reading, not for statistics. */
const MAX_TRACE = 1000;

function traceCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TRACE)
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_TRACE}, got "${text}"`);
  return n;
}

/** What a command adds to the shared ones: its own options, and how they reach the run. */
export interface RunCommandExtras<F> {
  options(cmd: Command): Command;
  runOptions(flags: F): Pick<RunOptions, 'capacity' | 'segment' | 'startAt'>;
}

/** Shared by `run`, `check` and `probe`: the same scenario, outputs and exit codes, other phases. */
export function addRunCommand<F extends object = object>(
  program: Command,
  name: RunCommand,
  description: string,
  extraHelp: string,
  extras?: RunCommandExtras<F>,
): Command {
  const cmd = program
    .command(name)
    .description(description)
    .argument('<scenario>', 'scenario file (YAML)')
    .option('-o, --out <dir>', 'write outputs here instead of reports/<scenario>-<timestamp>/')
    .option('--reports <dir>', 'root folder for run outputs', 'reports')
    .option('-q, --quiet', 'print only the final summary')
    .option('--history <dir>', "also keep this run's summary.json in a history folder, for `wsgate trend`")
    .option(
      '--trace <n>',
      'record the wire (request and response heads, frames, step times) of the first n attempts of each ' +
        'target x credential set: trace.txt and the HTML evidence, secrets masked',
      traceCount,
    );
  return (extras ? extras.options(cmd) : cmd)
    .addHelpText(
      'after',
      `\n${extraHelp}\n\nOutputs: summary.json, junit.xml, summary.md (also appended to $GITHUB_STEP_SUMMARY when ` +
        `set).\nExit codes: 0 pass, 1 a check or threshold failed, 2 invalid scenario, 3 target unreachable or run ` +
        `interrupted.`,
    )
    .action(async (file: string, flags: RunFlags & F) => {
      const scenario = readScenario(file);
      const log = createLog(scenario.secrets, { quiet: flags.quiet });
      const abort = new AbortController();
      let interrupts = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        interrupts++;
        if (interrupts > 1) {
          process.stderr.write('wsgate: second interrupt, exiting without a report\n');
          process.exit(130);
        }
        log.warn(`${sig}: stopping, writing a partial report (Ctrl-C again to quit at once)`);
        abort.abort(`interrupted by ${sig}`);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const outcome = await executeRun(scenario, {
          command: name,
          outDir: flags.out,
          reportsRoot: flags.reports,
          log,
          signal: abort.signal,
          ...(flags.trace !== undefined ? { trace: flags.trace } : {}),
          ...extras?.runOptions(flags),
        });
        process.exitCode = outcome.exitCode;
        if (flags.history)
          log.info(`history: ${appendToHistory(flags.history, outcome.outDir, outcome.summary.run.id)}`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

interface SegmentFlags {
  segment?: SegmentRef;
  startAt?: Date;
}

/** How far ahead `--start-at` may be: a start hours away is more likely a time zone slip than a plan. */
const MAX_START_AHEAD_MS = 60 * 60 * 1000;

/** `2026-05-01T10:00:00Z` or with an offset (`+02:00`): an instant every runner reads the same way. */
export function parseStartAt(text: string, now = Date.now()): Date {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  const at = iso.test(text.trim()) ? new Date(text.trim()) : undefined;
  if (!at || Number.isNaN(at.getTime()))
    throw new InvalidArgumentError(
      `expected an ISO 8601 instant with its time zone, such as 2026-05-01T10:00:00Z, got "${text}"`,
    );
  if (at.getTime() - now > MAX_START_AHEAD_MS)
    throw new InvalidArgumentError(
      `${at.toISOString()} is more than ${MAX_START_AHEAD_MS / 60_000} minutes from now ` +
        `(${new Date(now).toISOString()} here): check the time zone`,
    );
  return at;
}

export function registerRun(program: Command): void {
  addRunCommand<SegmentFlags>(
    program,
    'run',
    'Run everything the scenario describes: conformance, then load, overhead and security',
    `Runs the conformance checks first, then the scenario's load:, overhead: and security: blocks when present.

Load (README "Load"): arrivalRate stages (new upgrades per second, timed from their scheduled
start) and/or connections (held, with timed echoes), a weighted mix of credential sets, spread
over load.workers processes (default one per core) and source addresses. The plan is checked
against this host's open-file limit and ephemeral ports before anything starts (exit 2 says
what to change). Progress: a live line on a terminal, a line a second otherwise. Ctrl-C stops
the load and writes a partial report (exit 3). index.html sits beside summary.json.

Beyond one machine (README "Beyond one machine"): --segment i/N runs the i-th of N equal shares of
the load (every N-th attempt and held connection, the credential mix exact over all segments);
conformance, overhead and security probes run on segment 1 only, and thresholds are judged once by
\`wsgate merge\` on the merged data. --start-at makes every runner begin its schedule at one instant.`,
    {
      options: (cmd) =>
        cmd
          .option('--segment <i/N>', 'run the i-th of N equal segments of the load (2/3, or 1/3:2/3)', (text) => {
            try {
              return parseSegment(text);
            } catch (err) {
              throw new InvalidArgumentError((err as Error).message);
            }
          })
          .option(
            '--start-at <time>',
            'begin the load schedule at this instant (ISO 8601, e.g. 2026-05-01T10:00:00Z)',
            (t) => parseStartAt(t),
          ),
      runOptions: (f) => ({
        ...(f.segment ? { segment: f.segment } : {}),
        ...(f.startAt ? { startAt: f.startAt } : {}),
      }),
    },
  );
}

export function registerCheck(program: Command): void {
  addRunCommand(
    program,
    'check',
    'Conformance only: every target x credential set gets its expected outcome (the CI gate)',
    'Each credential set is tried once per target, with full evidence; a denied set must never reach the backend.',
  );
}
