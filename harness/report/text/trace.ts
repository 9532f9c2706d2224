import type { Summary } from '../../model/summary.ts';
import type { WireTrace } from '../../model/trace.ts';

/** Every wire trace of a run: conformance attempts first, then load attempts. */
export function tracesOf(s: Summary): WireTrace[] {
  const conformance = (s.conformance?.checks ?? []).flatMap((c) => (c.evidence?.wire ? [c.evidence.wire] : []));
  return [...conformance, ...(s.load?.traces ?? [])];
}

const ms = (n: number) => `+${n.toFixed(3).padStart(9)} ms`;

/** One trace the way `curl -v` shows an exchange: `>` sent, `<` received, `*` what happened when. */
export function formatTrace(t: WireTrace): string {
  const out: string[] = [];
  const when = t.scheduledMs !== undefined ? `, scheduled ${t.scheduledMs.toFixed(3)} ms into the load` : '';
  out.push(`== ${t.phase} ${t.target} / ${t.credential} #${t.attempt}: ${t.outcome}${when}`);
  out.push(`   (times from the attempt's ${t.phase === 'load' ? 'scheduled ' : ''}start)`);
  const lines: Array<{ at: number; text: string[] }> = t.steps.map((s) => ({
    at: s.atMs,
    text: [`* ${ms(s.atMs)}  ${s.step.replace('_', ' ')}`],
  }));
  const sentAt =
    t.steps.find((s) => s.step === 'request_sent')?.atMs ?? t.steps.find((s) => s.step === 'connected')?.atMs;
  const headAt = t.steps.find((s) => s.step === 'head_complete' || s.step === 'first_byte')?.atMs;
  if (t.request !== undefined) lines.push({ at: sentAt ?? 0, text: t.request.split('\r\n').map((l) => `> ${l}`) });
  if (t.response !== undefined)
    lines.push({
      at: headAt ?? Number.MAX_SAFE_INTEGER,
      text: [
        ...t.response.split('\r\n').map((l) => `< ${l}`),
        ...(t.body !== undefined ? ['<', ...t.body.split(/\r?\n/).map((l) => `< ${l}`)] : []),
      ],
    });
  for (const f of t.frames) {
    const flags = [f.fin ? 'fin' : 'more', ...(f.rsv ? [`rsv ${f.rsv}`] : []), ...(f.masked ? ['masked'] : [])];
    lines.push({
      at: f.atMs,
      text: [
        `${f.dir === 'sent' ? '>>' : '<<'} ${ms(f.atMs)}  ${f.opcode} (${flags.join(', ')}) ${f.length} bytes: ` +
          f.preview,
      ],
    });
  }
  // Stable: a step and the bytes of the same moment keep the order they were added in.
  lines.sort((a, b) => a.at - b.at);
  for (const l of lines) out.push(...l.text);
  if (t.framesNotShown) out.push(`   … ${t.framesNotShown} more frames not listed`);
  return out.join('\n');
}

/** trace.txt: every trace of the run, or undefined when the run traced nothing. */
export function traceText(s: Summary): string | undefined {
  const traces = tracesOf(s);
  if (traces.length === 0) return undefined;
  return `wsgate ${s.scenario.name}: wire traces of run ${s.run.id} (--trace; secrets masked)\n\n${traces
    .map(formatTrace)
    .join('\n\n')}\n`;
}
