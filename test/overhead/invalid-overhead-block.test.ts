import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-overhead-invalid-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Nothing listens on port 9: conformance fails fast, and the overhead block is judged before it runs.
const BASE = `name: overhead-invalid
targets:
  - name: direct
    url: ws://127.0.0.1:9/echo
  - name: gw
    url: ws://127.0.0.1:9/echo
credentials:
  - name: valid
    expect: 200
    headers:
      X-IBM-Client-Id: app-1234567
  - name: wrong
    expect: 401
    headers:
      X-IBM-Client-Id: app-7654321
overhead:
  baseline: direct
  auth: gw
  credential: valid
  decompose: false
`;

const CASES: Array<{ name: string; text: string; at: string; says: RegExp }> = [
  {
    name: 'unknown baseline target',
    text: BASE.replace('baseline: direct', 'baseline: nope'),
    at: ':17:13',
    says: /overhead\.baseline: no target is named "nope" \(known: direct, gw\)/,
  },
  {
    name: 'unknown credential set',
    text: BASE.replace('credential: valid', 'credential: valdi'),
    at: ':19:15',
    says: /overhead\.credential: no credential set is named "valdi"/,
  },
  {
    name: 'credential that is denied',
    text: BASE.replace('credential: valid', 'credential: wrong'),
    at: ':19:15',
    says: /"wrong" expects 401; overhead needs a set that upgrades/,
  },
  {
    name: 'both concurrency and rate',
    text: BASE + '  concurrency: 2\n  rate: 50\n',
    at: ':22:9',
    says: /overhead\.rate: give either concurrency .* or rate/,
  },
  {
    name: 'decomposition without an authorization URL',
    text: BASE.replace('decompose: false', 'decompose: true'),
    at: ':20:14',
    says: /overhead\.decompose: .*give authorizationUrl/,
  },
  {
    name: 'unknown key',
    text: BASE + '  round: 3\n',
    at: ':21:3',
    says: /unknown key "round" — did you mean "rounds"\?/,
  },
];

for (const c of CASES) {
  test(`overhead block with ${c.name}: exit 2, file:line:col and field, no output`, async () => {
    const slug = c.name.replace(/\W+/g, '-');
    const file = join(dir, `${slug}.yaml`);
    writeFileSync(file, c.text);
    const reports = join(dir, `reports-${slug}`);
    const res = await runCli(['run', file, '--reports', reports, '--quiet']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${c.at}`), res.stderr);
    assert.match(res.stderr, c.says);
    assert.throws(() => readdirSync(reports), /ENOENT/, 'no output directory may be created');
  });
}
