import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { credentialEnvValues, targetUrlEnv } from '../../harness/export/k6/env-names.ts';
import { testRunManifest } from '../../harness/export/k6/manifest.ts';
import { exportK6 } from '../../harness/export/k6/script.ts';
import { readScenario } from '../../harness/scenario/read.ts';
import { runCli, WSGATE } from '../helpers/cli.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
// Inside the project, so `k6/*` imports resolve to node_modules/@types/k6 when type-checking.
const OUT = join(ROOT, 'test-output', 'k6-export');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
after(() => rmSync(join(OUT, 'run'), { recursive: true, force: true }));

const SCENARIOS = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));

test('every scenario in scenarios/ exports to a k6 script that type-checks with tsc --strict against @types/k6', () => {
  assert.ok(SCENARIOS.length >= 3);
  for (const f of SCENARIOS) {
    const scenario = readScenario(join(ROOT, 'scenarios', f));
    const { script } = exportK6(scenario, 'test');
    writeFileSync(join(OUT, f.replace(/\.yaml$/, '.k6.ts')), script);
    for (const secret of scenario.secrets.all()) assert.ok(!script.includes(secret), `${f}: the script holds a secret`);
  }
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2020',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        types: ['k6'],
        lib: ['ES2020'],
        skipLibCheck: true,
      },
      include: ['*.ts'],
    }),
  );
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(OUT, 'tsconfig.json')], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (err) {
    assert.fail(`tsc found type errors in the exported scripts:\n${(err as { stdout?: string }).stdout ?? err}`);
  }
});

test('the type-check fails on a script with a type error (so the check above can fail)', () => {
  const bad = join(OUT, 'bad');
  mkdirSync(bad, { recursive: true });
  writeFileSync(
    join(bad, 'bad.k6.ts'),
    "import ws from 'k6/ws';\nconst n: number = ws.connect('ws://127.0.0.1:1', () => {}).status + 'x';\n",
  );
  writeFileSync(
    join(bad, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, moduleResolution: 'Bundler', module: 'ESNext', types: ['k6'] },
      include: ['*.ts'],
    }),
  );
  assert.throws(() =>
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(bad, 'tsconfig.json')], { stdio: 'pipe' }),
  );
});

test('what cannot be exported is warned about, and --strict refuses with exit 2', async () => {
  const res = await runCli([
    'export',
    'k6',
    join(ROOT, 'scenarios/api-connect.yaml'),
    '-o',
    join(OUT, 'cli.k6.ts'),
    '--strict',
  ]);
  assert.equal(res.code, 2);
  assert.match(
    res.stderr,
    /auth-service-down needs the auth service in state "down"; k6 cannot switch an auth service/,
  );
  assert.match(res.stderr, /backend-record checks .* are not exported/);
  const ok = await runCli(['export', 'k6', join(ROOT, 'scenarios/api-connect.yaml'), '-o', join(OUT, 'cli.k6.ts')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(readFileSync(join(OUT, 'cli.k6.ts'), 'utf8'), /\/\/ Not exported:\n\/\/ {3}- /);
});

test('the TestRun manifest parses as YAML and names the script through a ConfigMap', async () => {
  const res = await runCli([
    'export',
    'k6',
    join(ROOT, 'scenarios/quickstart.yaml'),
    '-o',
    join(OUT, 'quickstart.k6.ts'),
    '-m',
    join(OUT, 'quickstart.testrun.yaml'),
    '-p',
    '6',
  ]);
  assert.equal(res.code, 0, res.stderr);
  const docs = parseAllDocuments(readFileSync(join(OUT, 'quickstart.testrun.yaml'), 'utf8')).map((d) => d.toJS());
  const cm = docs.find((d) => d.kind === 'ConfigMap');
  const run = docs.find((d) => d.kind === 'TestRun');
  assert.equal(run.apiVersion, 'k6.io/v1alpha1');
  assert.equal(run.spec.parallelism, 6);
  assert.equal(run.spec.script.configMap.name, cm.metadata.name);
  assert.equal(run.spec.script.configMap.file, 'quickstart.k6.ts');
  assert.equal(cm.data['quickstart.k6.ts'], readFileSync(join(OUT, 'quickstart.k6.ts'), 'utf8'));
  // Every runner writes k6's JSON output, one gzipped file per pod, to the claim the user provides.
  assert.match(run.spec.arguments, /--out json=\/results\/\$\(POD_NAME\)\.json\.gz/);
  assert.deepEqual(run.spec.runner.env, [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ]);
  assert.deepEqual(run.spec.runner.volumes, [
    { name: 'wsgate-results', persistentVolumeClaim: { claimName: 'wsgate-quickstart-results' } },
  ]);
  assert.deepEqual(run.spec.runner.volumeMounts, [{ name: 'wsgate-results', mountPath: '/results' }]);
  const again = parseAllDocuments(
    testRunManifest({
      name: 'x',
      scriptFile: 'x.ts',
      script: 'export default 1;',
      parallelism: 1,
      secretName: 's',
      claimName: 'c',
    }),
  );
  assert.deepEqual(
    again.map((d) => d.errors.length),
    [0, 0],
  );
});

/** The echo message the scenario below asks for: not the default, so only a script that sends its own gets it back. */
const ECHO = 'orders-echo-3f9c';

/** The api-connect scenario with its own echo message, and its script exported. */
function apiConnect() {
  const scenario = readScenario(join(ROOT, 'scenarios/api-connect.yaml'));
  scenario.doc.check = { ...scenario.doc.check, echo: ECHO };
  return { scenario, script: exportK6(scenario, 'test').script };
}

interface ShimRun {
  gateway: string;
  checks: Array<{ name: string; passed: boolean }>;
  requests: Array<{ url: string; headers: Record<string, string> }>;
  sent: Array<{ url: string; messages: string[] }>;
  metrics: Array<{ metric: string }>;
}

/** `wsgate fixtures` in another process (the shim's synchronous connect blocks this event loop), shared below. */
let shimFixtures: Promise<{ urls: Record<string, string>; stop(): Promise<void> }> | undefined;
after(async () => {
  if (shimFixtures) await (await shimFixtures).stop();
});

/**
 * Run every conformance iteration of `script` through the k6 API shim against the fixtures, with
 * the environment a user would set: every credential value and the gateway's URL.
 */
async function runThroughShim(name: string, script: string, exec: 'conformance' | 'session' = 'conformance') {
  register(new URL('./k6-shim/hooks.mjs', import.meta.url));
  shimFixtures ??= fixturesProcess();
  const fx = await shimFixtures;
  const { scenario } = apiConnect();
  mkdirSync(join(OUT, 'run'), { recursive: true });
  const file = join(OUT, 'run', `${name}.k6.ts`);
  writeFileSync(file, script);
  (globalThis as { __ENV?: Record<string, string> }).__ENV = {
    // The gateway's origin only: the script keeps the scenario's path (/orders/ws).
    [targetUrlEnv('reference')]: fx.urls.gateway!,
    ...Object.assign({}, ...scenario.doc.credentials.map(credentialEnvValues)),
    WSGATE_VALID_JWT_BEARER: await mint('5m'),
    WSGATE_EXPIRED_JWT_BEARER: await mint('-1h'),
  };
  const { recorded, resetRecorded } = await import('./k6-shim/state.mjs');
  const execution = await import('./k6-shim/execution.mjs');
  resetRecorded();
  const mod = (await import(file)) as {
    conformance(): void;
    session(): void;
    options: { scenarios: Record<'conformance' | 'session', { iterations: number }> };
  };
  const iterations = mod.options.scenarios[exec].iterations;
  if (exec === 'conformance') assert.equal(iterations, 10, 'the three auth-fault sets are left out');
  for (let i = 0; i < iterations; i++) {
    execution.scenario.iterationInTest = i;
    mod[exec]();
  }
  return { ...(structuredClone(recorded) as Omit<ShimRun, 'gateway'>), gateway: fx.urls.gateway! };

  async function mint(expiresIn: string): Promise<string> {
    const { buildPlan } = await import('../../harness/plan/plan.ts');
    const { parseScenario } = await import('../../harness/scenario/read.ts');
    const text = readFileSync(join(ROOT, 'scenarios/api-connect.yaml'), 'utf8').replace(
      /expiresIn: (5m|-1h)/g,
      `expiresIn: ${expiresIn}`,
    );
    const plan = await buildPlan(parseScenario(text, join(ROOT, 'scenarios/api-connect.yaml')), fx.urls);
    const auth = plan.credentials.find((c) => c.name === 'valid-jwt')!.headers.find(([h]) => h === 'Authorization')![1];
    return auth.replace(/^Bearer /, '');
  }
}

/** The four sets of api-connect that the reference gateway lets in. */
const ALLOWED = ['valid-app', 'valid-jwt', 'basic-good', 'api-key-in-query'];

test(
  'the exported script, run through the k6 API shim against the fixtures, passes valid sets, sends its echo ' +
    'and sees denials with their statuses',
  async () => {
    const run = await runThroughShim('api-connect', apiConnect().script);
    const failed = run.checks.filter((c) => !c.passed).map((c) => c.name);
    assert.deepEqual(failed, [], `failed checks: ${failed.join(', ')}`);
    const names = run.checks.map((c) => c.name);
    for (const expected of [
      'valid-app via reference: status 101',
      'valid-app via reference: echo comes back',
      'wrong-secret via reference: status 401',
      'missing-client-id via reference: status 400',
      'expired-jwt via reference: status 401',
      'basic-good via reference: status 101',
      'api-key-in-query via reference: status 101',
    ]) {
      assert.ok(names.includes(expected), `check "${expected}" in ${names.join(', ')}`);
    }
    assert.deepEqual(
      names.filter((n) => n.endsWith('echo comes back')).sort(),
      ALLOWED.map((s) => `${s} via reference: echo comes back`).sort(),
      'one echo check per set that upgraded',
    );
    // What went over each upgraded connection is the scenario's echo message, once: the shim made none of it up.
    assert.equal(run.sent.length, ALLOWED.length, JSON.stringify(run.sent));
    for (const s of run.sent) assert.deepEqual(s.messages, [ECHO], s.url);
    const valid = run.requests.find((r) => r.headers['X-IBM-Client-Secret'] === 'sk-orders-web-7Hq2xVb9LmPz');
    assert.ok(valid, 'the valid app sends its secret from the environment');
    assert.ok(run.requests.some((r) => r.url.includes('apikey=ak-live-5f0e9d8c7b6a4321')));
    assert.ok(
      run.requests.every((r) => r.url.startsWith(`${run.gateway}/orders/ws`)),
      run.requests.map((r) => r.url).join(', '),
    );
    assert.equal(run.metrics.filter((m) => m.metric === 'wsgate_handshake').length, ALLOWED.length);
  },
);

test('a script that does not send its echo message after the upgrade fails its echo checks in the shim', async () => {
  // The same script without `socket.send(ECHO)` in its open handler: what the test above relies on must show.
  const { script } = apiConnect();
  const line = '      socket.send(ECHO);\n';
  assert.equal(script.split(line).length, 2, 'the open handler sends the echo message in exactly one place');
  const run = await runThroughShim('api-connect-no-echo', script.replace(line, ''));
  assert.deepEqual(
    run.checks
      .filter((c) => !c.passed)
      .map((c) => c.name)
      .sort(),
    ALLOWED.map((s) => `${s} via reference: echo comes back`).sort(),
  );
  for (const s of run.sent) assert.deepEqual(s.messages, [], s.url);
});

test('the session checks k6 can express run in the exported script: text, empty, binary, sizes, a pong', async () => {
  const { script, warnings } = exportK6(readScenario(join(ROOT, 'scenarios/api-connect.yaml')), 'test');
  assert.ok(
    warnings.includes('session check close.backend is not exported: k6 gives a close handler no code or reason'),
  );
  assert.ok(warnings.some((w) => w.startsWith('session check http2.verdict is not exported')));
  const run = await runThroughShim('api-connect-session', script, 'session');
  const failed = run.checks.filter((c) => !c.passed).map((c) => c.name);
  assert.deepEqual(failed, [], `failed checks: ${failed.join(', ')}`);
  const names = run.checks.map((c) => c.name);
  for (const set of ALLOWED)
    for (const what of [
      'messages.text comes back byte-exact',
      'messages.empty comes back empty',
      'messages.sizes up to 1 MiB come back',
      'messages.binary comes back byte-exact',
      'ping.client gets a pong',
    ])
      assert.ok(names.includes(`${set} via reference: ${what}`), `${set}: ${what} in ${names.join(', ')}`);
  // What went over the wire is what the checks judge: the ladder's top size among the messages, a binary one, a ping.
  const sent = run.sent[0]!.messages as unknown[];
  assert.ok(sent.some((m) => typeof m === 'string' && m.length === 1024 * 1024));
  assert.ok(sent.some((m) => typeof m === 'object' && m !== null && 'binary' in m));
  assert.ok(sent.some((m) => typeof m === 'object' && m !== null && 'ping' in m));
});

/** `wsgate fixtures` as a child process, with the URLs it prints; every wait bounded, SIGKILL after SIGINT. */
async function fixturesProcess(): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [WSGATE, 'fixtures'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exitedWithin = (ms: number) =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  const urls: Record<string, string> = {};
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixtures did not start within 20 s: ${text}`));
    }, 20_000);
    let ready = false;
    // Both streams must be in: the URLs on stdout and the ready line on stderr may arrive in either order.
    const maybeDone = () => {
      if (ready && text.includes('gateway.baseline')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr.on('data', (d: Buffer) => {
      ready ||= d.toString().includes('Ctrl-C to stop');
      maybeDone();
    });
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      maybeDone();
    });
  });
  for (const line of text.trim().split('\n')) {
    const [name, url] = line.trim().split(/\s+/);
    urls[name!] = url!;
  }
  return {
    urls,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      if (await exitedWithin(10_000)) return;
      child.kill('SIGKILL');
      assert.ok(await exitedWithin(5_000), 'wsgate fixtures exited neither on SIGINT within 10 s nor on SIGKILL');
      assert.fail('wsgate fixtures did not exit within 10 s of SIGINT (killed)');
    },
  };
}

test("a fixture target keeps its path in the script's default URL; an origin-only override keeps it too", () => {
  const scenario = readScenario(join(ROOT, 'scenarios/quickstart.yaml'));
  assert.equal(scenario.doc.targets[0]!.url, '${fixture:gateway}/echo');
  const { script } = exportK6(scenario, 'test');
  const targets = JSON.parse(/const TARGETS: Target\[\] = (\[[\s\S]*?\n\]);/.exec(script)![1]!) as Array<{
    url: string;
  }>;
  assert.equal(targets[0]!.url, 'ws://127.0.0.1:8080/echo');
  assert.match(script, /base\[2\] \|\| scenarioPath \|\| '\/'/);
});

test('load: arrival-rate stages become one ramping-arrival-rate scenario, jumps as 0 s stages', () => {
  const scenario = readScenario(join(ROOT, 'scenarios/quickstart.yaml'));
  scenario.doc.load = {
    arrivalRate: [
      { rate: 100, duration: '3s' },
      { from: 200, to: 400, duration: '10s' },
    ],
    maxInFlight: 800,
  };
  const { script } = exportK6(scenario, 'test');
  const options = /export const options: Options = \{\n {2}scenarios: ([\s\S]*?),\n {2}thresholds:/.exec(script)![1]!;
  const load = (
    JSON.parse(options) as Record<string, { executor: string; startRate: number; maxVUs: number; stages: unknown[] }>
  ).load!;
  assert.equal(load.executor, 'ramping-arrival-rate');
  assert.equal(load.startRate, 100);
  assert.equal(load.maxVUs, 800);
  assert.deepEqual(load.stages, [
    { target: 100, duration: '3000ms' },
    { target: 200, duration: '0s' },
    { target: 400, duration: '10000ms' },
  ]);
});

test('load: held connections become a ramping-vus scenario whose iterations each hold one connection', () => {
  const scenario = readScenario(join(ROOT, 'scenarios/load-reference.yaml'));
  const { script } = exportK6(scenario, 'test');
  const options = /export const options: Options = \{\n {2}scenarios: ([\s\S]*?),\n {2}thresholds:/.exec(script)![1]!;
  const hold = (JSON.parse(options) as Record<string, { executor: string; exec: string; stages: unknown[] }>).hold!;
  assert.equal(hold.executor, 'ramping-vus');
  assert.equal(hold.exec, 'hold');
  assert.deepEqual(hold.stages, [
    { target: 10000, duration: '40000ms' },
    { target: 10000, duration: '25000ms' },
  ]);
  // The connection is held to the end of the hold (40 s ramp + 25 s), with a message every 10 s.
  assert.ok(
    script.includes(
      'export function hold(): void {\n' +
        '  attempt(TARGETS[exec.vu.idInTest % TARGETS.length], pickSet(HOLD_SETS), 65000, 10000);',
    ),
    'hold() holds one connection for 65 s with a message every 10 s',
  );
  assert.match(script, /const HOLD_SETS = SETS\.filter\(\(s\) => s\.expect === 200\);/);
});
