import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-invalid-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const VALID = `name: demo
targets:
  - name: gw
    url: ws://127.0.0.1:9/echo
credentials:
  - name: valid
    expect: 200
    headers:
      X-IBM-Client-Id: app-1234567
`;

/** Each case: scenario text, the line:col the error must point at, and words the message must hold. */
const CASES: Array<{ name: string; text: string; at: string; says: RegExp; env?: NodeJS.ProcessEnv }> = [
  { name: 'yaml syntax error', text: VALID + '  - name: [unclosed\n', at: ':11:', says: /YAML syntax/ },
  {
    name: 'unknown key with a did-you-mean',
    text: VALID.replace('    expect: 200', '    expekt: 200'),
    at: ':7:5',
    says: /unknown key "expekt" — did you mean "expect"\?/,
  },
  {
    name: 'wrong type',
    text: VALID.replace('expect: 200', 'expect: "two hundred"'),
    at: ':7:13',
    says: /credentials\[0\]\.expect: got "two hundred", expected one of 200, 400/,
  },
  {
    name: 'missing required field',
    text: VALID.replace('    url: ws://127.0.0.1:9/echo\n', ''),
    at: ':3:5',
    says: /targets\[0\]\.url: missing required field "url"/,
  },
  {
    name: 'missing environment variable',
    text: VALID.replace('app-1234567', '${env:WSGATE_TEST_UNSET_VAR}'),
    at: ':9:24',
    says: /WSGATE_TEST_UNSET_VAR is not set/,
  },
  {
    name: 'unreadable file',
    text: VALID.replace('app-1234567', '${file:does/not/exist.pem}'),
    at: ':9:24',
    says: /cannot read file .*does\/not\/exist\.pem \(ENOENT\)/,
  },
  {
    name: 'bad threshold',
    text: VALID + 'thresholds: ["handshake.p95 < fast"]\n',
    at: ':10:14',
    says: /is not a threshold/,
  },
  {
    name: 'duplicate credential name',
    text: VALID + '  - name: valid\n    expect: 401\n',
    at: ':10:11',
    says: /duplicate name "valid"/,
  },
  {
    name: 'bad URL scheme',
    text: VALID.replace('ws://127.0.0.1:9/echo', 'http://127.0.0.1:9/echo'),
    at: ':4:10',
    says: /targets\[0\]\.url/,
  },
];

for (const c of CASES) {
  test(`invalid scenario (${c.name}) exits 2 with file:line:col and leaves no output`, async () => {
    const file = join(dir, `${c.name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, c.text);
    const reports = join(dir, `reports-${c.name.replace(/\W+/g, '-')}`);
    const res = await runCli(['check', file, '--reports', reports], { env: c.env });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${c.at}`));
    assert.match(res.stderr, c.says);
    assert.throws(() => readdirSync(reports), /ENOENT/, 'no output directory may be created');
  });
}

test('validate accepts a valid scenario and exits 0', async () => {
  const file = join(dir, 'valid.yaml');
  writeFileSync(file, VALID);
  const res = await runCli(['validate', file]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /ok \(1 target\(s\), 1 credential set\(s\); `run` does: conformance, session\)/);
});

test('unknown command line option exits 2', async () => {
  const res = await runCli(['check', '--no-such-flag', 'x.yaml']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /unknown option/);
});
