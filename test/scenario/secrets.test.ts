import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenario } from '../../harness/scenario/read.ts';
import { MASK, Secrets } from '../../harness/scenario/secrets.ts';

test('secrets are masked in every form they travel in', () => {
  const s = new Secrets();
  s.add('p@ss word/+=');
  const text =
    `raw p@ss word/+= url ${encodeURIComponent('p@ss word/+=')} form ` +
    `${new URLSearchParams({ v: 'p@ss word/+=' }).toString().slice(2)}`;
  assert.equal(s.mask(text), `raw ${MASK} url ${MASK} form ${MASK}`);
  assert.deepEqual(s.maskDeep({ a: ['x p@ss word/+= y'] }), { a: [`x ${MASK} y`] });
});

test('credential values and ${env:} values become secrets; names and verdicts do not', () => {
  const loaded = parseScenario(
    `name: s
targets:
  - name: gw
    url: ws://127.0.0.1:9/x
    headers: { X-Trace: "\${env:WSGATE_T_TRACE}" }
credentials:
  - name: valid-app
    expect: 200
    headers: { X-IBM-Client-Id: app-client-id-1 }
    basic: { username: alice-user, password: wonderland }
`,
    '/tmp/s.yaml',
    { WSGATE_T_TRACE: 'trace-from-env' },
  );
  for (const secret of ['app-client-id-1', 'alice-user', 'wonderland', 'trace-from-env'])
    assert.ok(loaded.secrets.has(secret), secret);
  assert.ok(!loaded.secrets.has('valid-app'));
  assert.equal(loaded.doc.targets[0]!.headers!['X-Trace'], 'trace-from-env');
});

test('a secret too short to mask is refused at load time', () => {
  assert.throws(
    () =>
      parseScenario(
        'name: s\ntargets: [{name: gw, url: "ws://127.0.0.1:9/x"}]\ncredentials:\n  - name: c\n    expect: 401\n   ' +
          ' bearer: abc\n',
        '/tmp/short.yaml',
      ),
    /short\.yaml:6:13: credentials\[0\]\.bearer: a secret must be at least 4 characters/,
  );
});

test('a secret cut at the end of a preview is masked from its first characters; other endings are left alone', () => {
  const s = new Secrets();
  s.add('sk-orders-web-7Hq2xVb9LmPz');
  assert.equal(s.maskCut('token=sk-orders-web-7H…'), `token=${MASK}…`);
  assert.equal(s.maskCut('whole sk-orders-web-7Hq2xVb9LmPz then sk-o…'), `whole ${MASK} then ${MASK}…`);
  // Fewer than MIN_SECRET_LENGTH characters could be anything: "sk-" stays.
  assert.equal(s.maskCut('ask-'), 'ask-');
  assert.equal(s.maskCut('no secret here…'), 'no secret here…');
});
