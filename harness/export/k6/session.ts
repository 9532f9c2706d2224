import { SESSION_CHECK_IDS, type SessionCheckId } from '../../model/session.ts';
import { parseDuration } from '../../scenario/duration.ts';
import type { CredentialDoc, ScenarioDoc, TargetDoc } from '../../scenario/schema.ts';
import { formatSize, parseSize } from '../../scenario/size.ts';

/** The session checks `k6/ws` can express: echoes over a socket and a ping's pong (k6 sets no ping payload). */
const EXPORTED: readonly SessionCheckId[] = [
  'messages.text',
  'messages.binary',
  'messages.empty',
  'messages.sizes',
  'ping.client',
];
/** Why each other check stays in wsgate. */
const WHY_NOT: Partial<Record<SessionCheckId, string>> = {
  handshake: "k6 hides the 101's headers",
  'messages.fragmented': 'k6 sends every message in one frame',
  'ping.backend': "k6 cannot read the echo backend's record",
  'close.client': 'k6 cannot read what reached the backend',
  'close.backend': 'k6 gives a close handler no code or reason',
  'close.backend-death': 'k6 gives a close handler no code and cannot tell a reset from a FIN',
  'negotiation.subprotocol': "k6 cannot read the backend's choice",
  'negotiation.no-subprotocol': "k6 hides the 101's headers",
  'negotiation.empty-subprotocol': "k6 hides the 101's headers",
  'negotiation.deflate': 'k6/ws does not offer permessage-deflate',
  'backend.forwarded': "k6 cannot read the backend's record",
  'backend.origin': "k6 cannot read the backend's record",
  'auth.hop-by-hop': "k6 cannot read the auth service's record",
  'http2.verdict': 'k6/ws speaks HTTP/1.1 only (no RFC 8441)',
};

/** What the session part of the script is: its k6 scenario and its code, or nothing to export. */
export interface SessionExport {
  scenario?: Record<string, unknown>;
  functions: string;
}

/**
 * The `session:` checks k6 can carry, per exported target x credential set that gets them: one k6
 * iteration each, sending a text, an empty, a binary message, the size ladder (as text) and a
 * ping, and checking each echo and the pong. Every other check is a warning naming why.
 */
export function exportSession(
  doc: ScenarioDoc,
  targets: readonly TargetDoc[],
  sets: readonly CredentialDoc[],
  warnings: string[],
): SessionExport {
  if (doc.session === false) return { functions: '' };
  const block = typeof doc.session === 'object' ? doc.session : {};
  const pairs: Array<[number, number]> = [];
  let maxBytes = 1024 * 1024;
  let timeoutMs = 2000;
  const skipped = new Set<SessionCheckId>();
  for (const [ti, t] of targets.entries()) {
    if (t.session === false) continue;
    const s = { ...block, ...(typeof t.session === 'object' ? t.session : {}) };
    for (const [si, c] of sets.entries()) {
      const gets = s.sets ? s.sets.includes(c.name) : c.expect === 200 && (c.authService ?? 'ok') === 'ok';
      if (gets) pairs.push([ti, si]);
    }
    if (s.maxMessageBytes !== undefined) maxBytes = parseSize(s.maxMessageBytes);
    if (s.timeout !== undefined) timeoutMs = parseDuration(s.timeout);
    const ids = SESSION_CHECK_IDS.filter((id) => {
      const on = (list: readonly string[] | undefined) => list?.some((x) => x === id || id.startsWith(`${x}.`));
      return (!s.checks || on(s.checks)) && !on(s.skip);
    });
    for (const id of SESSION_CHECK_IDS) if (!ids.includes(id)) skipped.add(id);
  }
  if (pairs.length === 0) return { functions: '' };
  for (const id of SESSION_CHECK_IDS) {
    const why = WHY_NOT[id];
    if (why && !skipped.has(id)) warnings.push(`session check ${id} is not exported: ${why}`);
  }
  warnings.push("session check ping.client is exported without its payload: k6's ping() sends none");
  const sizes: number[] = [];
  for (let n = 1024; n <= maxBytes; n *= 4) sizes.push(n);
  if (sizes[sizes.length - 1] !== maxBytes) sizes.push(maxBytes);
  const exported = EXPORTED.filter((id) => !skipped.has(id));
  const has = (id: SessionCheckId) => exported.includes(id);
  const timeout = timeoutMs + Math.ceil((sizes.reduce((a, b) => a + b, 0) / (4 * 1024 * 1024)) * 1000);
  // The text messages sent on open, in order, and where each check finds its echo among those that come back.
  const texts: string[] = [];
  const checks: string[] = [];
  if (has('messages.text')) {
    checks.push(
      `  check(back(${texts.length}), { [\`\${via}: messages.text comes back byte-exact\`]: (ok) => ok }, tags);`,
    );
    texts.push('SESSION_TEXT');
  }
  if (has('messages.empty')) {
    checks.push(
      `  check(back(${texts.length}), { [\`\${via}: messages.empty comes back empty\`]: (ok) => ok }, tags);`,
    );
    texts.push("''");
  }
  if (has('messages.sizes')) {
    checks.push(
      `  const sizesOk = SESSION_SIZES.every((_, k) => back(${texts.length} + k));`,
      `  check(sizesOk, { [\`\${via}: messages.sizes up to ${formatSize(maxBytes)} come back\`]: (ok) => ok }, tags);`,
    );
    texts.push("...SESSION_SIZES.map((n) => 'w'.repeat(n))");
  }
  if (has('messages.binary'))
    checks.push(
      '  const binaryOk =',
      '    open && binaryBack !== undefined && binaryBack.length === binary.length &&',
      '    binaryBack.every((b, i) => b === binary[i]);',
      '  check(binaryOk, { [`${via}: messages.binary comes back byte-exact`]: (ok) => ok }, tags);',
    );
  if (has('ping.client'))
    checks.push('  check(open && pongs > 0, { [`${via}: ping.client gets a pong`]: (ok) => ok }, tags);');
  const waitBinary = has('messages.binary') ? '(binaryBack ? 0 : 1)' : '0';
  const waitPong = has('ping.client') ? '(pongs > 0 ? 0 : 1)' : '0';
  const sendBinary = has('messages.binary') ? '      socket.sendBinary(binary.buffer);\n' : '';
  const sendPing = has('ping.client') ? '      socket.ping();\n' : '';
  const functions = `/**
 * wsgate's session checks that k6 can express (${exported.join(', ')}), once per target x set that
 * gets them: every message is sent on open and each echo compared in order; at most ${timeout} ms.
 */
export function session(): void {
  const [ti, si] = SESSION_PAIRS[exec.scenario.iterationInTest % SESSION_PAIRS.length];
  const target = TARGETS[ti];
  const set = SETS[si];
  const tags = { target: target.name, credential: set.name };
  const texts: string[] = [${texts.join(', ')}];
  const binary = new Uint8Array(512);
  for (let i = 0; i < binary.length; i++) binary[i] = i & 0xff;
  const got: string[] = [];
  let binaryBack: Uint8Array | undefined;
  let pongs = 0;
  const res = ws.connect(urlFor(target, set), { headers: headersFor(set), tags }, (socket) => {
    const done = () => {
      const rest = ${waitBinary} + ${waitPong};
      if (got.length >= texts.length && rest === 0) socket.close();
    };
    socket.on('open', () => {
      for (const t of texts) socket.send(t);
${sendBinary}${sendPing}    });
    socket.on('message', (m: string) => {
      got.push(m);
      done();
    });
    socket.on('binaryMessage', (m: ArrayBuffer) => {
      binaryBack = new Uint8Array(m);
      done();
    });
    socket.on('pong', () => {
      pongs++;
      done();
    });
    socket.setTimeout(() => socket.close(), ${timeout});
  });
  const via = \`\${set.name} via \${target.name}\`;
  const open = res.status === 101;
  const back = (i: number) => open && got[i] === texts[i];
${checks.join('\n')}
}

/** [target, set] pairs that get the session checks (the scenario's session: block). */
const SESSION_PAIRS: Array<[number, number]> = ${JSON.stringify(pairs)};
const SESSION_TEXT = ${JSON.stringify('wsgate session: text ✓ — ünïcödé 𝄞 ')};
/** messages.sizes: 1 KiB, x4 each step, up to ${formatSize(maxBytes)}. */
const SESSION_SIZES: number[] = ${JSON.stringify(sizes)};
`;
  return {
    scenario: {
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: pairs.length,
      exec: 'session',
      maxDuration: '5m',
    },
    functions,
  };
}
