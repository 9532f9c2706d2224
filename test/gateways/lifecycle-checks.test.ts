import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { executeRun } from '../../harness/cli/execute.ts';
import { createLog } from '../../harness/cli/log.ts';
import type { LifecycleCheckResult } from '../../harness/model/lifecycle.ts';
import { parseScenario } from '../../harness/scenario/read.ts';
import { ensureDebianPackage } from '../helpers/debian.ts';
import { VALID_APP } from '../lifecycle/sets.ts';

/**
 * The lifecycle checks against the real gateways in their unsafe variants, with their limits
 * shortened through fixtures.limits: nginx's and HAProxy's default idle timeouts cut silent
 * sessions (pinging ones live), nginx's worker_shutdown_timeout ends held sessions at the drain
 * deadline after a reload, Caddy without stream_close_delay drops them at the reload, HAProxy's old
 * worker keeps serving them with no deadline; every gateway comes back from a restart.
 */

const missing = ['nginx', 'caddy', 'haproxy'].map((b) => ensureDebianPackage(b)).find((f) => !f.ok);
const skip = missing && !missing.ok ? `*** ${missing.reason} ***` : false;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-lifecycle-gw-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = `name: lifecycle-unsafe-variants
fixtures:
  gateways: [nginx, caddy, haproxy]
  variants: { nginx: default-timeouts, caddy: no-stream-close-delay, haproxy: default-timeouts }
  limits: { nginx: { idle: 2s, drain: 1500ms }, haproxy: { idle: 2s } }
targets:
  - { name: nginx, url: "\${fixture:gateway.nginx}/echo" }
  - { name: caddy, url: "\${fixture:gateway.caddy}/echo" }
  - { name: haproxy, url: "\${fixture:gateway.haproxy}/echo" }
credentials:
${VALID_APP}
lifecycle:
  idle: { connections: 2, pingEvery: 500ms, max: 3500ms, mustSurvive: 3s }
  reload: { connections: 10, arrivalRate: 5, at: 1s, observe: 2500ms }
  restart:
    connections: 20
    rampUp: 300ms
    reconnect: { policy: exponential, delay: 50ms, maxDelay: 500ms }
    within: 10s
  saturation: warn
`;

test('real gateways in their unsafe variants: idle cuts, reload drops, drain deadlines and old workers, named', {
  skip,
}, async () => {
  const scenario = parseScenario(SCENARIO, join(dir, 'lifecycle.yaml'));
  const outcome = await executeRun(scenario, {
    command: 'run',
    outDir: join(dir, 'run'),
    log: createLog(scenario.secrets, { quiet: true }),
  });
  const checks = outcome.summary.lifecycle?.checks ?? [];
  const at = (check: LifecycleCheckResult['check'], target: string) => {
    const c = checks.find((x) => x.check === check && x.target === target);
    assert.ok(c, `${check} ${target} in ${checks.map((x) => `${x.check} ${x.target}`).join(', ')}`);
    return c;
  };
  const explain = JSON.stringify(
    checks.map((c) => [c.check, c.target, c.status, c.observed, c.reasons]),
    null,
    1,
  );
  assert.equal(outcome.exitCode, 1, explain);

  for (const target of ['nginx', 'haproxy']) {
    const idle = at('idle', target);
    assert.ok(idle.check === 'idle');
    assert.equal(idle.status, 'failed', explain);
    const [silent, ping] = idle.groups;
    assert.equal(silent?.droppedBefore, 2, `${target}: the silent ones are cut by the 2 s idle limit`);
    assert.deepEqual(silent?.ends.codes, { 1006: 2 }, `${target}: without a close frame`);
    assert.ok(silent!.ends.firstMs! >= 1800 && silent!.ends.lastMs! < 3000, JSON.stringify(silent?.ends));
    assert.equal(ping?.survived, 2, `${target}: pings keep a session alive`);
  }
  assert.equal(at('idle', 'caddy').status, 'passed', 'Caddy has no idle limit');

  const nginx = at('reload', 'nginx');
  assert.ok(nginx.check === 'reload');
  assert.equal(nginx.status, 'finding', explain);
  assert.equal(nginx.dropped, 0, 'nothing dropped at the reload itself');
  assert.equal(nginx.cutAtDeadline, 10, 'worker_shutdown_timeout ends the held sessions');
  assert.equal(nginx.processes?.started, 1, 'a new worker');
  assert.equal(nginx.processes?.oldAlive, 0, 'the old worker left at its deadline');

  const caddy = at('reload', 'caddy');
  assert.ok(caddy.check === 'reload');
  assert.equal(caddy.status, 'failed');
  assert.equal(caddy.dropped, 10, 'every held session dropped at the reload');
  // Caddy closes them with 1001 (going away); on a busy machine one now and then comes with 1002,
  // once 1 in 10 with a CPU hog on the other core (not pinned down; likely its close racing a proxied message).
  const codes = Object.entries(caddy.dropCodes);
  assert.equal(
    codes.reduce((n, [, k]) => n + k, 0),
    10,
    JSON.stringify(caddy.dropCodes),
  );
  assert.ok(
    codes.every(([code]) => code === '1001' || code === '1002') && (caddy.dropCodes[1001] ?? 0) >= 5,
    JSON.stringify(caddy.dropCodes),
  );
  assert.equal(caddy.failedUpgrades, 0, 'new upgrades still work');

  const haproxy = at('reload', 'haproxy');
  assert.ok(haproxy.check === 'reload');
  assert.equal(haproxy.status, 'finding');
  assert.equal(haproxy.dropped, 0);
  assert.equal(haproxy.processes?.oldAlive, 1, 'the old worker still serves the held sessions');
  assert.equal(haproxy.processes?.oldLingering, 0, 'and leaves once they closed');
  assert.match(haproxy.reasons.join(), /no drain deadline/);

  for (const target of ['nginx', 'caddy', 'haproxy']) {
    const r = at('restart', target);
    assert.ok(r.check === 'restart');
    assert.equal(r.status, 'passed', explain);
    assert.equal(r.back, 20);
  }
});
