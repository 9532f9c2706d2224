import type { LoadResult } from '../model/load.ts';
import { capacityHeadline, capacityStepLine } from '../report/text/capacity.ts';
import { formatComparison } from '../report/text/comparison.ts';
import { formatOverhead } from '../report/text/overhead.ts';
import { saturationWords } from '../report/text/saturation.ts';
import { sessionLine } from '../report/text/session.ts';
import type { RunEvents } from '../run/phase.ts';
import type { Log } from './log.ts';

/** Who kept up: the generator's health and the saturation verdict, in one line. */
export function saturationLine(r: LoadResult): string {
  const g = r.generator;
  const health = g
    ? `generator: late p99 ${g.late?.p99 ?? 0} ms, loop delay p99 ${g.loopDelay.p99} ms, busiest core ` +
      `${Math.round(g.cpu.busiestShare * 100)}%${g.nice !== undefined ? `, nice ${g.nice}` : ''}`
    : 'generator: not measured';
  const s = r.saturation;
  const target = s?.targetCpu !== undefined ? `; target busiest core ${Math.round(s.targetCpu * 100)}%` : '';
  const host = s?.hostCpu !== undefined ? `; machine ${Math.round(s.hostCpu * 100)}% busy` : '';
  return `load: ${health}${target}${host}; ${s ? saturationWords(r) : 'saturation not judged'}`;
}

/** What a run tells a person while it goes: the phases' events as log lines (masked by the log). */
export function progressLines(log: Log): RunEvents {
  return {
    conformanceStarted: (targets, credentials) =>
      log.info(`conformance: ${targets} target(s) x ${credentials} credential set(s)`),
    checked: (c) => {
      const mark = c.status === 'passed' ? 'ok  ' : c.status === 'failed' ? 'FAIL' : 'skip';
      const why = c.reasons.length ? ` — ${c.reasons.join('; ')}` : '';
      log.info(
        `  ${mark} ${c.target} / ${c.credential}: expect ${c.expected.join('|')}, saw ${c.seen ?? 'not run'}${why}`,
      );
    },
    sessionStarted: (targets) => log.info(`session: ${targets} target(s), checks after the 101`),
    sessionChecked: (r) => log.info(sessionLine(r)),
    loadStarted: (lp, spread) => {
      const stages = lp.stages.map(
        (s) =>
          (s.fromRate === s.toRate ? `${s.fromRate}/s` : `${s.fromRate}->${s.toRate}/s`) +
          ` for ${s.durationMs / 1000}s`,
      );
      const parts = [
        stages.length > 0 ? stages.join(', ') : undefined,
        lp.hold
          ? `${lp.hold.count} held connections (ramp ${lp.hold.rampUpMs / 1000}s, hold ${lp.hold.holdMs / 1000}s)`
          : undefined,
      ].filter(Boolean);
      const sources = [...new Set(spread.sourceAddresses.flat())];
      const mix = lp.mix.map((m) => `${m.cred.name}:${m.weight}`).join(' ');
      const from = sources.length > 0 ? `, from ${sources.join(' ')}` : '';
      log.info(
        `load: ${parts.join(' + ')} through ${lp.targets.map((t) => t.name).join(', ')}; mix ${mix}; ` +
          `${spread.workers} worker process(es)${from}`,
      );
    },
    loadWaiting: (at) =>
      log.info(
        `load: waiting for the agreed start ${at.toISOString()} ` +
          `(in ${((at.getTime() - Date.now()) / 1000).toFixed(1)} s)`,
      ),
    loadSecond: (s, p95) =>
      log.progress(
        `  load ${String(s.t + 1).padStart(4)}s  ${String(s.attempts).padStart(6)} attempts/s  ` +
          `${String(s.upgrades).padStart(6)} upgrades/s` +
          `  open ${String(s.open).padStart(6)}  errors ${s.errors}${s.dropped ? `  dropped ${s.dropped}` : ''}` +
          `${p95 !== undefined ? `  p95 ${p95.toFixed(2)} ms` : ''}` +
          (s.cpu !== undefined ? `  gen cpu ${Math.round(s.cpu * 100)}%` : '') +
          (s.lateP99 !== undefined && s.lateP99 > 10 ? `  late p99 ${s.lateP99.toFixed(0)} ms` : '') +
          (s.targetCpu !== undefined ? `  target cpu ${Math.round(s.targetCpu * 100)}%` : ''),
      ),
    loadDone: (r) => {
      const hs = r.handshake
        ? `, handshake p50 ${r.handshake.p50} ms p95 ${r.handshake.p95} ms p99 ` +
          `${r.handshake.p99} ms (from scheduled start)`
        : '';
      const h = r.held;
      const held = h
        ? `; held ${h.peak} of ${h.target} at peak, ${h.dropped} dropped, ${h.echoes}/${h.messages} echoes` +
          `${h.rtt ? ` (p95 ${h.rtt.p95} ms)` : ''}`
        : '';
      log.info(`load: ${r.attempts} attempts, ${r.upgrades} upgraded, ${r.unexpected} unexpected${hs}${held}`);
      if (r.cutByShutdown)
        log.info(`load: ${r.cutByShutdown} attempts cut by the run's own stop (not counted against the target)`);
      log.info(saturationLine(r));
    },
    overheadStarted: (s) =>
      log.info(
        `overhead: ${s.baseline.name} (baseline) vs ${s.auth.name} (auth), credential ${s.credential.name}, ` +
          `${s.rounds} rounds x ${s.attemptsPerRound} attempts` +
          (s.authorizationUrl ? ', decomposed with autocannon' : ''),
      ),
    overheadRound: (r, of) => {
      if (r === of || r % 5 === 0) log.info(`  overhead round ${r}/${of}`);
    },
    overheadDone: (result) => log.info(formatOverhead(result)),
    comparisonStarted: (s) =>
      log.info(
        `comparison: ${s.targets.map((t) => t.name).join(', ')} against ${s.reference.name}, credential ` +
          `${s.credential.name}, ` +
          `${s.rounds} interleaved rounds x ${s.attemptsPerRound} attempts per target`,
      ),
    comparisonRound: (r, of) => {
      if (r === of || r % 5 === 0) log.info(`  comparison round ${r}/${of}`);
    },
    comparisonDone: (result) => log.info(formatComparison(result)),
    capacityStarted: (cp) =>
      log.info(
        `capacity: ${cp.load.targets.map((t) => t.name).join(', ')} from ${cp.fromRate}/s, ` +
          `x${cp.factor} a step up to ` +
          `${cp.maxRate}/s, ${cp.stepMs / 1000}s a step; bounds: time to 101 p95 <= ${cp.p95Ms} ms, errors <= ` +
          `${(cp.errorShare * 100).toFixed(1)}%; ${cp.spread.workers} worker process(es)`,
      ),
    capacityStep: (step) => log.info(`  capacity ${capacityStepLine(step)}`),
    capacityDone: (c) => log.info(`capacity: ${capacityHeadline(c)}. ${c.verdict}`),
    securityStarted: (targets) => log.info(`security: ${targets} target(s)`),
    probed: (p) => {
      const mark = p.status === 'passed' ? 'ok  ' : p.status === 'failed' ? 'FAIL' : 'skip';
      log.info(`  ${mark} ${p.target} / ${p.probe}: ${p.status === 'failed' ? p.reasons.join('; ') : p.seen}`);
    },
    lifecycleStarted: (lp) => {
      const checks = [
        lp.idle && 'idle',
        lp.reload && 'reload',
        lp.restart && `restart (${lp.restart.cause})`,
        lp.credentials?.expiring && 'credential expiry',
        lp.credentials?.revoke && 'credential revocation',
        lp.authPressure && 'auth pressure',
      ].filter(Boolean);
      log.info(
        `lifecycle: ${checks.join(', ')} on ${lp.targets.map((t) => t.target.name).join(', ')}; ` +
          `held set ${lp.credential.name}`,
      );
    },
    lifecycleChecked: (c) => {
      const mark = { passed: 'ok  ', failed: 'FAIL', finding: 'note', not_run: 'skip' }[c.status];
      const why = c.status === 'passed' ? '' : ` — ${c.reasons.join('; ')}`;
      log.info(`  ${mark} ${c.target} / ${c.check}: ${c.observed}${why}`);
    },
    warning: (message) => log.warn(message),
  };
}
