import { type AttemptSample, measuredSide, runBatch, summarizeLatencies, upgradeLatencies } from '../client/batch.ts';
import { handshakeAttempt } from '../client/timed-attempt.ts';
import {
  OVERHEAD_PERCENTILES,
  type OverheadDecomposition,
  type OverheadDifference,
  type OverheadMethod,
  type OverheadResult,
} from '../model/overhead.ts';
import type { OverheadSetup } from '../plan/overhead.ts';
import { requestPath } from '../plan/plan.ts';
import { bootstrapDifferences, type PairedRound } from '../stats/bootstrap.ts';
import { type AuthBenchTally, benchAuthUrl, newAuthBenchTally } from './auth-bench.ts';

/** Two-sided confidence of every interval reported. */
export const CONFIDENCE = 0.95;

export interface MeasureOptions {
  signal: AbortSignal;
  /** Called after each completed round (1-based), e.g. for a progress line. */
  onRound?: (round: number, of: number) => void;
}

interface Round {
  baseline: AttemptSample[];
  auth: AttemptSample[];
}

/**
 * Measure what authorization adds to the upgrade: a warm-up that is not counted, then `rounds`
 * interleaved rounds (baseline, auth, and, when decomposing, the authorization URL directly),
 * then percentile differences with paired-round bootstrap intervals and the decomposition.
 * An interrupted measurement keeps the rounds it completed (`partial`).
 */
export async function measureOverhead(setup: OverheadSetup, opts: MeasureOptions): Promise<OverheadResult> {
  const t0 = performance.now();
  const { baseline, auth, credential, signal } = { ...setup, signal: opts.signal };
  const authPath = requestPath(auth, credential);
  // The baseline route keeps its own path (a credential's path would point it at the auth route) but
  // carries the same headers and query, so both requests are the same size.
  const baselinePath = requestPath(baseline, { ...credential, path: undefined });
  const attempt = (side: 'baseline' | 'auth', label: string) =>
    side === 'baseline'
      ? handshakeAttempt(baseline, credential, baselinePath, `overhead-baseline-${label}`)
      : handshakeAttempt(auth, credential, authPath, `overhead-auth-${label}`);
  const authUrl = setup.authorizationUrl;
  const tally = authUrl ? newAuthBenchTally() : undefined;
  let benchProblem: string | undefined;
  const bench = async (amount: number, authSide: readonly AttemptSample[], into: AuthBenchTally | undefined) => {
    if (!authUrl || benchProblem) return;
    try {
      await benchAuthUrl(authUrl, auth, credential, benchConnections(setup, authSide), amount, into, signal);
    } catch (err) {
      benchProblem = `autocannon could not benchmark the authorization URL: ${(err as Error).message}`;
    }
  };

  if (setup.warmup > 0) {
    await runBatch(attempt('baseline', 'warmup'), setup.warmup, setup.load, signal);
    const warm = await runBatch(attempt('auth', 'warmup'), setup.warmup, setup.load, signal);
    await bench(setup.warmup, warm, undefined);
  }

  const rounds: Round[] = [];
  let problem: string | undefined;
  for (let r = 1; r <= setup.rounds && !signal.aborted; r++) {
    const b = await runBatch(attempt('baseline', `r${r}`), setup.attemptsPerRound, setup.load, signal);
    const a = await runBatch(attempt('auth', `r${r}`), setup.attemptsPerRound, setup.load, signal);
    // The authorization URL takes its turn in the same round, so drift reaches the decomposition too.
    await bench(setup.attemptsPerRound, a, tally);
    if (signal.aborted) break;
    rounds.push({ baseline: b, auth: a });
    opts.onRound?.(r, setup.rounds);
    const dead = (['baseline', 'auth'] as const).filter((side) =>
      rounds[rounds.length - 1]![side].every((s) => s.latencyMs === undefined),
    );
    if (dead.length > 0) {
      problem = `stopped after round ${r}: no ${dead.join(' or ')} attempt upgraded in it`;
      break;
    }
  }

  const pairs: PairedRound[] = rounds.map((r) => ({
    baseline: upgradeLatencies(r.baseline),
    auth: upgradeLatencies(r.auth),
  }));
  const boot = bootstrapDifferences(pairs, {
    percentiles: OVERHEAD_PERCENTILES,
    resamples: setup.resamples,
    confidence: CONFIDENCE,
    seed: setup.seed,
  });
  const differences: OverheadDifference[] = OVERHEAD_PERCENTILES.map((p) => {
    const d = boot.differences.find((x) => x.percentile === p)!;
    const ciLow = round3(d.ciLow);
    const ciHigh = round3(d.ciHigh);
    return { percentile: p, diff: round3(d.diff), ciLow, ciHigh, ciWidth: round3(ciHigh - ciLow) };
  });
  const authSamples = rounds.flatMap((r) => r.auth);
  const method = describeMethod(setup, boot.resamplesUsed);
  const result: OverheadResult = {
    baseline: measuredSide(
      baseline.name,
      baseline.url,
      baselinePath,
      rounds.map((r) => r.baseline),
    ),
    auth: measuredSide(
      auth.name,
      auth.url,
      authPath,
      rounds.map((r) => r.auth),
    ),
    credential: credential.name,
    differences,
    method,
    partial: signal.aborted,
    roundsCompleted: rounds.length,
    durationMs: Math.round(performance.now() - t0),
  };
  if (problem) result.problem = problem;
  if (authUrl || authSamples.some((s) => s.authDurMs !== undefined))
    result.decomposition = decompose(differences, authSamples, tally, authUrl, benchProblem);
  return result;
}

/**
 * Connections for the direct benchmark: the closed model's concurrency; in the open model, the
 * attempts the auth side had in flight on average in the round just run (Little's law: rate x mean
 * latency), at least one.
 */
function benchConnections(setup: OverheadSetup, authSide: readonly AttemptSample[]): number {
  if (setup.load.model === 'concurrency') return setup.load.concurrency;
  const values = upgradeLatencies(authSide);
  const meanMs = values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  return Math.max(1, Math.ceil((setup.load.ratePerSec * meanMs) / 1000));
}

function decompose(
  differences: OverheadDifference[],
  authSamples: AttemptSample[],
  tally: AuthBenchTally | undefined,
  authUrl: string | undefined,
  problem: string | undefined,
): OverheadDecomposition {
  const out: OverheadDecomposition = { split: [] };
  if (problem) out.problem = problem;
  if (tally && authUrl) {
    const requests = Object.values(tally.statusCodes).reduce((a, b) => a + b, 0) + tally.errors + tally.timeouts;
    out.autocannon = {
      // The query may carry an API key; credentials travel in headers here anyway.
      url: authUrl.split('?')[0]!,
      connections: tally.connections,
      requests,
      statusCodes: tally.statusCodes,
      errors: tally.errors,
      timeouts: tally.timeouts,
      percentiles: summarizeLatencies(tally.latenciesMs),
    };
    const non2xx = requests - tally.latenciesMs.length;
    if (non2xx > 0 && !out.problem)
      out.problem =
        `${non2xx} of ${requests} direct requests to the authorization URL did not ` +
        `get a 2xx (${JSON.stringify(tally.statusCodes)}, ${tally.errors} errors); only 2xx latencies are used`;
    const ac = out.autocannon.percentiles;
    out.split = differences.map((d) => {
      const authService = ac[`p${d.percentile}`];
      return {
        percentile: d.percentile,
        total: round3(d.diff),
        authService,
        gatewayAdded: round3(d.diff - authService),
      };
    });
  }
  const durs: number[] = [];
  for (const s of authSamples) if (s.latencyMs !== undefined && s.authDurMs !== undefined) durs.push(s.authDurMs);
  if (durs.length > 0) {
    const { min: _min, max: _max, mean: _mean, ...percentiles } = summarizeLatencies(durs);
    out.serverTiming = { samples: durs.length, percentiles };
    if (out.autocannon && Number.isFinite(out.autocannon.percentiles.p50)) {
      const st = percentiles.p50;
      const ac = out.autocannon.percentiles.p50;
      const difference = round3(st - ac);
      out.crossCheck = {
        serverTimingP50: st,
        autocannonP50: ac,
        difference,
        agrees: Math.abs(difference) <= Math.max(1, 0.5 * Math.max(st, ac)),
      };
    }
  }
  return out;
}

function describeMethod(setup: OverheadSetup, resamplesUsed: number): OverheadMethod {
  const load =
    setup.load.model === 'concurrency'
      ? `${setup.load.concurrency} attempt(s) in flight`
      : `${setup.load.ratePerSec} attempts/s on a fixed schedule`;
  return {
    description:
      `${setup.rounds} rounds of ${setup.attemptsPerRound} upgrade attempts per side, baseline and auth ` +
      `alternating (B, A, B, A, …) so drift hits both alike, ` +
      `${load}, after ${setup.warmup} uncounted warm-up attempts per side. Latency runs from each attempt's ` +
      `scheduled start to the complete 101 head. ` +
      `Overhead at p50/p90/p95/p99 is the auth percentile minus the baseline ` +
      `percentile; its ${Math.round(CONFIDENCE * 100)}% interval is a percentile bootstrap ` +
      `over ${resamplesUsed} resamples of whole rounds (each with both halves, seed ${setup.seed}). overhead.pNN ` +
      `thresholds judge the interval's upper bound.`,
    interleaving: 'alternating-rounds',
    rounds: setup.rounds,
    attemptsPerRound: setup.attemptsPerRound,
    warmupAttempts: setup.warmup,
    load:
      setup.load.model === 'concurrency'
        ? { model: 'concurrency', concurrency: setup.load.concurrency }
        : { model: 'rate', ratePerSec: setup.load.ratePerSec },
    latencyFrom: 'scheduled-start',
    latencyTo: 'upgrade-complete',
    bootstrap: {
      resamples: resamplesUsed,
      confidence: CONFIDENCE,
      seed: setup.seed,
      unit: 'paired-rounds',
      interval: 'percentile',
    },
    thresholdsJudge: 'ciHigh',
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
