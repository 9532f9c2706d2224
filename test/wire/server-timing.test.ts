import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverTimingAuthMs } from '../../harness/wire/server-timing.ts';

test('Server-Timing auth duration is read from the auth metric among others, in any case and spacing', () => {
  assert.equal(serverTimingAuthMs('auth;dur=1.234'), 1.234);
  assert.equal(serverTimingAuthMs('db;dur=9, Auth ; desc="authorization" ; dur = 0.5'), 0.5);
  assert.equal(serverTimingAuthMs('auth;dur="2"'), 2);
});

test('a missing, valueless or malformed auth duration is absent, not zero', () => {
  assert.equal(serverTimingAuthMs(undefined), undefined);
  assert.equal(serverTimingAuthMs('db;dur=3'), undefined);
  assert.equal(serverTimingAuthMs('auth'), undefined);
  assert.equal(serverTimingAuthMs('auth;dur=fast'), undefined);
  assert.equal(serverTimingAuthMs('auth;dur=-1'), undefined);
});

test('a zero duration counts; a parameter without "=" is skipped, not read; quotes only at the ends go', () => {
  assert.equal(serverTimingAuthMs('auth;dur=0'), 0);
  assert.equal(serverTimingAuthMs('auth;durs;dur=3'), 3);
  assert.equal(serverTimingAuthMs('auth;dur= "2.5"'), 2.5);
  assert.equal(serverTimingAuthMs('auth;dur="1"2"'), undefined);
  assert.equal(serverTimingAuthMs('auth;desc=x;dur=4', 'auth'), 4);
  assert.equal(serverTimingAuthMs('gw;dur=7, auth;dur=1', 'gw'), 7, 'another metric by name');
});
