import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Summary } from '../model/summary.ts';
import type { TraceFrame, WireTrace } from '../model/trace.ts';
import type { Secrets } from '../scenario/secrets.ts';
import { runReportHtml } from './html/run-report.ts';
import { junitXml } from './junit.ts';
import { markdownSummary } from './markdown.ts';
import { traceText } from './text/trace.ts';

/** One file of a run's output, made from the (already masked) summary; undefined: not written for this run. */
export interface OutputWriter {
  file: string;
  render(summary: Summary): string | undefined;
}

/** Every file a run writes. Later outputs (HTML) add themselves here. */
export const OUTPUT_WRITERS: OutputWriter[] = [
  { file: 'summary.json', render: (s) => JSON.stringify(s, null, 2) + '\n' },
  { file: 'junit.xml', render: junitXml },
  { file: 'summary.md', render: markdownSummary },
  { file: 'index.html', render: runReportHtml },
  { file: 'trace.txt', render: traceText },
];

/** `reports/<scenario>-<YYYYMMDD-HHMMSS>` under `root`. */
export function defaultRunDir(root: string, scenarioName: string, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join(root, `${scenarioName}-${stamp}`);
}

/**
 * Write every output of a run into `dir`. Files are rendered into a hidden sibling first and moved
 * into place only when all rendered, so a crash never leaves half a report. Every byte passes
 * through `secrets.mask`. Returns the written paths.
 */
export function writeRunOutputs(dir: string, summary: Summary, secrets: Secrets): string[] {
  const masked = secrets.maskDeep(maskCutPreviews(summary, secrets));
  const target = resolve(dir);
  const staging = join(dirname(target), `.${basename(target)}.staging-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  try {
    for (const w of OUTPUT_WRITERS) {
      const text = w.render(masked);
      if (text !== undefined) writeFileSync(join(staging, w.file), secrets.mask(text));
    }
    mkdirSync(target, { recursive: true });
    const written: string[] = [];
    for (const name of readdirSync(staging)) {
      renameSync(join(staging, name), join(target, name));
      written.push(join(target, name));
    }
    return written;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Frame previews are cut at a fixed length: a secret cut there would escape whole-value masking. */
function maskCutPreviews(summary: Summary, secrets: Secrets): Summary {
  const fixFrames = (frames: TraceFrame[]) =>
    frames.map((f) => (f.preview.endsWith('…') ? { ...f, preview: secrets.maskCut(f.preview) } : f));
  const fix = (t: WireTrace): WireTrace => ({ ...t, frames: fixFrames(t.frames) });
  const c = summary.conformance;
  const ss = summary.session;
  return {
    ...summary,
    ...(ss
      ? {
          session: {
            ...ss,
            results: ss.results.map((r) => ({
              ...r,
              checks: r.checks.map((k) =>
                k.evidence.frames ? { ...k, evidence: { ...k.evidence, frames: fixFrames(k.evidence.frames) } } : k,
              ),
            })),
          },
        }
      : {}),
    ...(c
      ? {
          conformance: {
            ...c,
            checks: c.checks.map((k) =>
              k.evidence?.wire ? { ...k, evidence: { ...k.evidence, wire: fix(k.evidence.wire) } } : k,
            ),
          },
        }
      : {}),
    ...(summary.load?.traces ? { load: { ...summary.load, traces: summary.load.traces.map(fix) } } : {}),
  };
}

/** Append the Markdown summary to GitHub's step summary when running in Actions. */
export function writeStepSummary(summary: Summary, secrets: Secrets): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file || !existsSync(dirname(file))) return;
  appendFileSync(file, secrets.mask(markdownSummary(secrets.maskDeep(summary))));
}
