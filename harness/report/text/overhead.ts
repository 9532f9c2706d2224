import { OVERHEAD_PERCENTILES, type OverheadResult } from '../../model/overhead.ts';

/**
 * The overhead result as text for a terminal: baseline vs auth percentiles, the differences with
 * their confidence intervals (and widths), and the decomposition. Reads the result only.
 */
export function formatOverhead(r: OverheadResult): string {
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(3)} ms` : 'n/a');
  const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)} ms` : 'n/a');
  const confidence = Math.round(r.method.bootstrap.confidence * 100);
  const rows: string[][] = [
    ['', `baseline (${r.baseline.target})`, `auth (${r.auth.target})`, 'overhead', `${confidence}% CI`, 'CI width'],
  ];
  for (const p of OVERHEAD_PERCENTILES) {
    const d = r.differences.find((x) => x.percentile === p)!;
    rows.push([
      `p${p}`,
      ms(r.baseline.percentiles[`p${p}`]),
      ms(r.auth.percentiles[`p${p}`]),
      signed(d.diff),
      `[${signed(d.ciLow)}, ${signed(d.ciHigh)}]`,
      ms(d.ciWidth),
    ]);
  }
  const lines = [
    `overhead: credential ${r.credential}, ${r.roundsCompleted}/${r.method.rounds} rounds x ` +
      `${r.method.attemptsPerRound} attempts per side${r.partial ? ' (interrupted: partial)' : ''}`,
    `  upgraded: baseline ${r.baseline.upgraded}/${r.baseline.attempts}, auth ${r.auth.upgraded}/${r.auth.attempts}`,
    ...table(rows).map((l) => `  ${l}`),
  ];
  const dec = r.decomposition;
  if (dec?.autocannon) {
    const ac = dec.autocannon;
    lines.push(`  decomposition (autocannon, ${ac.requests} requests to ${ac.url}, ${ac.connections} connection(s)):`);
    const split = [['', 'total overhead', 'auth service', 'gateway adds']];
    for (const s of dec.split)
      split.push([`p${s.percentile}`, signed(s.total), ms(s.authService), signed(s.gatewayAdded)]);
    lines.push(...table(split).map((l) => `    ${l}`));
  }
  if (dec?.serverTiming) {
    const st = dec.serverTiming;
    lines.push(
      `  Server-Timing ` +
        `auth;dur (${st.samples} samples): p50 ${ms(st.percentiles.p50)}, p90 ${ms(st.percentiles.p90)}, p99 ` +
        `${ms(st.percentiles.p99)}`,
    );
  }
  if (dec?.crossCheck) {
    const c = dec.crossCheck;
    lines.push(
      `  cross-check p50: ` +
        `Server-Timing ${ms(c.serverTimingP50)} vs autocannon ${ms(c.autocannonP50)} (${signed(c.difference)}): ` +
        `${c.agrees ? 'agree' : 'DISAGREE'}`,
    );
  }
  if (dec?.problem) lines.push(`  decomposition problem: ${dec.problem}`);
  if (r.problem) lines.push(`  problem: ${r.problem}`);
  return lines.join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
}
