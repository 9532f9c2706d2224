import type { Builder } from 'junit-report-builder';
import type { LifecycleResult } from '../model/lifecycle.ts';

/**
 * One testcase per lifecycle check x target (class `lifecycle.<target>`): failures carry their
 * reasons; findings pass with theirs in the output; not-run checks are skipped with why.
 */
export function addLifecycle(builder: Builder, l: LifecycleResult): void {
  const suite = builder.testSuite().name('lifecycle');
  for (const c of l.checks) {
    const tc = suite
      .testCase()
      .className(`lifecycle.${c.target}`)
      .name(`${c.check}: ${c.expected}`)
      .time(c.durationMs / 1000);
    const text = [
      `gateway: ${c.gateway ? `${c.gateway} (${c.variant ?? 'default'})` : 'own'}`,
      `seen: ${c.observed}`,
      ...c.reasons.map((r) => `${c.status === 'finding' ? 'finding' : 'reason'}: ${r}`),
    ].join('\n');
    if (c.status === 'not_run') tc.skipped().standardOutput(c.reasons.join('\n'));
    else if (c.status === 'failed')
      tc.failure(`${c.target} / ${c.check}: ${c.reasons.join('; ')}`, 'lifecycle').standardOutput(text);
    else tc.standardOutput(text);
  }
}
