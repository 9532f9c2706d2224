import { type Command, InvalidArgumentError } from 'commander';
import { CAPACITY_DEFAULTS, type CapacityOverrides } from '../../plan/capacity.ts';
import { parseDuration } from '../../scenario/duration.ts';
import { addRunCommand } from './run-like.ts';

interface CapacityFlags {
  from?: number;
  factor?: number;
  max?: number;
  step?: number;
  settle?: number;
  p95?: number;
  errors?: number;
  refine?: number;
  target?: string;
}

const number =
  (what: string, min: number, max: number, integer = false) =>
  (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}, got "${text}"`);
    return n;
  };

const duration = (text: string): number => {
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error('must be positive');
    return ms;
  } catch {
    throw new InvalidArgumentError(`expected a positive duration such as 500ms, 5s or 1m, got "${text}"`);
  }
};

/** `1%` or `0.01`: a share. */
const share = (text: string): number => {
  const pct = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(text.trim());
  const n = pct ? Number(pct[1]) / 100 : Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1 || text.trim() === '')
    throw new InvalidArgumentError(`expected a share such as 1% or 0.01, got "${text}"`);
  return n;
};

/** `wsgate capacity <scenario>`: step the arrival rate up until the gateway breaks a bound. */
export function registerCapacity(program: Command): void {
  const d = CAPACITY_DEFAULTS;
  addRunCommand<CapacityFlags>(
    program,
    'capacity',
    'Find the highest arrival rate the gateway sustains: steps up until latency or errors break a bound',
    `Each step offers a constant arrival rate for --step (a fresh load, timed from the scheduled start,
with the generator's health measured); the rate grows by --factor until a step breaks a bound
(time to 101 p95 above --p95, or more than --errors of attempts not answered as expected), then
--refine steps close in between the last rate that held and the first that broke.

The answer is "sustainable": the highest rate that kept both bounds while the generator kept up.
When the generator runs out first (late starts, a full core, a stalled event loop) the probe stops
and says the target's limit is above what this machine can offer: it never blames the target for
the generator. Targets, mix, workers and source addresses come from the scenario's load: block
(or every gateway target and credential weight without one); the scenario's capacity: block sets
the defaults these options override. Gate on it with a threshold: capacity.sustainable >= 500.`,
    {
      options: (cmd) =>
        cmd
          .option('--from <rate>', `first step, attempts/s (default ${d.from})`, number('a rate', 0.1, 100000))
          .option('--factor <x>', `each step offers x times the last (default ${d.factor})`, number('a factor', 1.1, 4))
          .option('--max <rate>', `highest rate tried, attempts/s (default ${d.max})`, number('a rate', 1, 100000))
          .option('--step <duration>', `how long each step lasts (default ${d.stepMs / 1000}s)`, duration)
          .option('--settle <duration>', `pause between steps (default ${d.settleMs / 1000}s)`, duration)
          .option('--p95 <duration>', `latency bound: time to 101 p95 (default ${d.p95Ms}ms)`, duration)
          .option('--errors <share>', `error bound, e.g. 1% (default ${d.errorShare * 100}%)`, share)
          .option('--refine <n>', `steps spent closing in (default ${d.refine})`, number('a count', 0, 6, true))
          .option('--target <name>', "probe this gateway target alone (default: the load block's targets)"),
      runOptions: (f) => {
        const capacity: CapacityOverrides = {
          ...(f.from !== undefined ? { from: f.from } : {}),
          ...(f.factor !== undefined ? { factor: f.factor } : {}),
          ...(f.max !== undefined ? { max: f.max } : {}),
          ...(f.step !== undefined ? { stepMs: f.step } : {}),
          ...(f.settle !== undefined ? { settleMs: f.settle } : {}),
          ...(f.p95 !== undefined ? { p95Ms: f.p95 } : {}),
          ...(f.errors !== undefined ? { errorShare: f.errors } : {}),
          ...(f.refine !== undefined ? { refine: f.refine } : {}),
          ...(f.target !== undefined ? { target: f.target } : {}),
        };
        return { capacity };
      },
    },
  );
}
