import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FIXTURE_CREDENTIALS } from '../../fixtures/auth-registry.ts';
import type { RunningFixtures } from '../../fixtures/index.ts';
import { type MisbehavingGateway, NO_FAULTS } from '../../fixtures/node-gateway/misbehaving-gateway.ts';
import type { SecurityResult } from '../../harness/model/security.ts';
import { PROBE_IDS } from '../../harness/model/security.ts';
import { runCli } from '../helpers/cli.ts';
import { referencesYaml, startGatewayPair, targetYaml } from './gateway-pair.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-probe-'));
let fx: RunningFixtures;
let bad: MisbehavingGateway;
const app = FIXTURE_CREDENTIALS.validApp;

before(async () => {
  ({ fx, bad } = await startGatewayPair());
});
after(async () => {
  await fx.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Two targets (the reference gateway and a suspect one) with a `security:` block given as YAML flow text. */
function scenario(
  name: string,
  security: string | undefined,
  thresholds = 'thresholds: [security.failed == 0]',
): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
targets:
${targetYaml(fx, 'reference')}
${targetYaml(fx, 'misbehaving', 'suspect')}
${referencesYaml(fx)}
${security === undefined ? '' : `security: ${security}\n`}${thresholds}
`,
  );
  return file;
}

test(
  'wsgate probe: one result per probe x target in summary.json, JUnit and summary.md; a forwarded secret fails ' +
    'exit 1; no secret in any output',
  async () => {
    bad.setFaults({ ...NO_FAULTS, forwardSecrets: true });
    try {
      const out = join(dir, 'out-probe');
      const res = await runCli([
        'probe',
        scenario('probe', '{ authTimeout: 300ms, skip: [bypass.oversized-headers] }'),
        '--out',
        out,
      ]);
      assert.equal(res.code, 1, res.stdout + res.stderr);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      const sec = summary.security as SecurityResult;
      assert.equal(sec.probes.length, PROBE_IDS.length * 2);
      assert.equal(summary.conformance, undefined, 'probe runs the security phase only');
      const failed = sec.probes.filter((p) => p.status === 'failed').map((p) => `${p.target}/${p.probe}`);
      assert.deepEqual(failed, ['suspect/leaks.secrets-forwarded']);
      const skipped = sec.probes.filter((p) => p.status === 'not_run');
      assert.deepEqual(
        skipped.map((p) => `${p.target}/${p.probe}: ${p.reasons[0]}`),
        ['reference', 'suspect'].map((t) => `${t}/bypass.oversized-headers: skipped by the scenario (security.skip)`),
      );
      assert.equal(summary.metrics['security.failed'], 1);
      assert.equal(summary.metrics['security.passed'], PROBE_IDS.length * 2 - 3);

      const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
      const suite = /<testsuite name="security"[^>]*>([\s\S]*?)<\/testsuite>/.exec(junit)?.[1] ?? '';
      assert.equal(suite.match(/<testcase /g)?.length, PROBE_IDS.length * 2);
      const failure =
        /classname="security.suspect" name="leaks.secrets-forwarded: [^"]*"[^>]*>\s*<failure message="([^"]*)"/.exec(
          suite,
        );
      assert.match(
        failure?.[1] ?? '',
        /^suspect \/ leaks.secrets-forwarded: credential set valid-app: the backend received header x-ibm-client-sec/,
      );
      assert.equal(suite.match(/<skipped/g)?.length, 2);

      const md = readFileSync(join(out, 'summary.md'), 'utf8');
      assert.match(md, /### Security probes: 33 passed, 1 failed, 2 not run /);
      assert.match(md, /\(allowed reference: valid-app, denied reference: wrong-secret\)/);
      assert.match(md, /\| suspect \| `leaks.secrets-forwarded` \| .* \| \*\*FAIL\*\*: /);

      const texts: Record<string, string> = { stdout: res.stdout, stderr: res.stderr };
      for (const f of readdirSync(out)) texts[f] = readFileSync(join(out, f), 'utf8');
      for (const [where, text] of Object.entries(texts)) {
        for (const s of [app.secret, app.clientId, 'sk-wrong-secret-value'])
          assert.ok(!text.includes(s), `${where} contains a secret (${s.slice(0, 3)}…)`);
      }
    } finally {
      bad.setFaults(NO_FAULTS);
    }
  },
);

test('check includes the probes the security: block selects, and leaves them out without one', async () => {
  const withBlock = join(dir, 'out-check-security');
  const res = await runCli([
    'check',
    scenario('check-security', '{ probes: [caching, leaks.denied-to-backend] }'),
    '--out',
    withBlock,
  ]);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const summary = JSON.parse(readFileSync(join(withBlock, 'summary.json'), 'utf8'));
  assert.equal(summary.conformance.passed, 4);
  assert.deepEqual(
    (summary.security as SecurityResult).probes.map((p) => `${p.target}/${p.probe}/${p.status}`),
    ['reference', 'suspect'].flatMap((t) => [
      `${t}/leaks.denied-to-backend/passed`,
      `${t}/caching.deny-after-allow/passed`,
    ]),
  );

  const without = join(dir, 'out-check-plain');
  const plain = await runCli(['check', scenario('check-plain', undefined, ''), '--out', without]);
  assert.equal(JSON.parse(readFileSync(join(without, 'summary.json'), 'utf8')).security, undefined, plain.stderr);
});

test(
  'an invalid security: block (unknown reference, reference with the wrong verdict, unknown probe) exits 2 ' +
    'naming file:line:col and writes nothing',
  async () => {
    for (const [name, block, message] of [
      [
        'unknown-ref',
        '{ denied: nobody }',
        /security\.denied: no credential set is named "nobody" \(known: valid-app, wrong-secret\)/,
      ],
      [
        'wrong-verdict',
        '{ allowed: wrong-secret }',
        /security\.allowed: "wrong-secret" expects 401; the allowed reference must be a set that expects 200/,
      ],
      [
        'unknown-probe',
        '{ probes: [bypass.everything] }',
        /security\.probes\[0\]: got "bypass.everything", expected one of .*"bypass.path"/,
      ],
    ] as const) {
      const out = join(dir, `out-${name}`);
      const file = scenario(name, block);
      const res = await runCli(['probe', file, '--out', out]);
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
      assert.match(res.stderr, message);
      assert.equal(existsSync(out), false);
    }
  },
);

test(
  'a target nobody listens on: every probe is not run with the reason, exit 3, and the report is ' + 'still written',
  async () => {
    const file = join(dir, 'unreachable.yaml');
    writeFileSync(
      file,
      `name: unreachable\ntargets: [{ name: gone, url: "ws://127.0.0.1:9/echo" }]\ncredentials:\n  - { name: ok, ` +
        `expect: 200, headers: { X-Api-Key: key-good-1234 } }\n  - { name: no, expect: 401, headers: { X-Api-Key: ` +
        `key-bad-5678 } }\n`,
    );
    const out = join(dir, 'out-unreachable');
    const res = await runCli(['probe', file, '--out', out]);
    assert.equal(res.code, 3, res.stdout + res.stderr);
    const sec = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).security as SecurityResult;
    assert.equal(sec.notRun, PROBE_IDS.length);
    assert.deepEqual(sec.unreachableTargets, ['gone']);
    assert.ok(
      sec.probes
        .filter((p) => p.family === 'bypass')
        .every((p) => p.reasons[0] === 'the target could not be reached (refused)'),
    );
    assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /target gone could not be reached/);
  },
);
