import { VERDICTS } from '../../model/auth.ts';
import { expectedStatuses } from '../../outcome/expected.ts';
import { parseDuration } from '../../scenario/duration.ts';
import { hasFixtureRef } from '../../scenario/interpolate.ts';
import type { Scenario } from '../../scenario/read.ts';
import type { CredentialDoc, TargetDoc } from '../../scenario/schema.ts';
import { credentialEnv, targetUrlEnv } from './env-names.ts';
import { exportLoad } from './load-scenarios.ts';
import { exportSession } from './session.ts';
import { k6Threshold } from './thresholds.ts';

/** What `wsgate export k6` produces: the script, what it could not carry, the env vars it reads. */
export interface K6Export {
  script: string;
  /** Everything of the scenario the script leaves out, each with the reason. */
  warnings: string[];
  /** Env vars the script reads: every credential value, and target URLs that came from fixtures. */
  env: Array<{ name: string; field: string; required: boolean }>;
}

/** The k6 release line the script targets: it runs TypeScript natively from v0.57. */
export const K6_MIN_VERSION = '0.57';

/**
 * A TypeScript k6 script (typed against @types/k6) that does what the scenario's conformance and
 * load blocks do, with every credential value read from `__ENV` so the script holds no secret.
 */
export function exportK6(scenario: Scenario, wsgateVersion: string): K6Export {
  const doc = scenario.doc;
  const warnings: string[] = [];
  const env: K6Export['env'] = [];

  const targets = doc.targets.filter((t) => {
    if (t.baseline)
      warnings.push(
        `target ${t.name} is an overhead baseline; overhead is not exported (k6 cannot interleave rounds or ` +
          `bootstrap intervals), so it is left out`,
      );
    return !t.baseline;
  });
  const sets = doc.credentials.filter((c) => {
    if ((c.authService ?? 'ok') !== 'ok') {
      warnings.push(
        `credential set ${c.name} needs the auth service in state "${c.authService}"; k6 cannot switch an auth ` +
          `service, so it is left out`,
      );
      return false;
    }
    if (c.clientCert)
      warnings.push(
        `credential set ${c.name} uses a client certificate; k6 sets TLS client certificates per domain in ` +
          `options.tlsAuth, not per request, so it is sent without one`,
      );
    if (c.jwt)
      warnings.push(
        `credential set ${c.name} mints a JWT at run time; the script reads a ready ` +
          `token from ${credentialEnv(c).bearer!.name} (mint it before the run)`,
      );
    return true;
  });
  if (targets.length === 0 || sets.length === 0)
    throw new Error('nothing to export: no target or no credential set that k6 can run');

  for (const t of targets) {
    if (t.backend)
      warnings.push(
        `target ${t.name}: backend-record checks (denied attempts never reach the backend, secrets stripped) need ` +
          `wsgate's echo backend record and are not exported`,
      );
    if (t.tls && (t.tls.ca || t.tls.cert))
      warnings.push(
        `target ${t.name}: TLS CA / client certificate go in k6 options (tlsCACerts is not supported by k6; use ` +
          `the system trust store, options.tlsAuth for client certs)`,
      );
    const fromFixture = hasFixtureRef(t.url);
    if (fromFixture)
      warnings.push(
        `target ${t.name}: its URL comes from a bundled fixture; set ${targetUrlEnv(t.name)} to the gateway's URL`,
      );
    env.push({ name: targetUrlEnv(t.name), field: `targets.${t.name}.url`, required: fromFixture });
  }
  for (const s of sets) {
    const e = credentialEnv(s);
    for (const [, v] of [...e.headers, ...e.query]) env.push({ ...v, required: true });
    if (e.basic) env.push({ ...e.basic.username, required: true }, { ...e.basic.password, required: true });
    if (e.bearer) env.push({ ...e.bearer, required: true });
  }
  if (doc.overhead)
    warnings.push(
      "the overhead: block is not exported (interleaved rounds and bootstrap intervals are wsgate's own analysis)",
    );
  if (doc.security)
    warnings.push(
      'the security: block is not exported (probes need raw requests and auth-service control k6 does not have)',
    );

  const thresholds: Record<string, string[]> = {};
  for (const source of doc.thresholds ?? []) {
    const t = k6Threshold(source);
    if ('reason' in t) warnings.push(t.reason);
    else {
      thresholds[t.metric] ??= [];
      thresholds[t.metric]!.push(t.expression);
    }
  }

  const load = exportLoad(doc, warnings);
  const session = exportSession(doc, targets, sets, warnings);
  const scenarios: Record<string, unknown> = {
    conformance: {
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: targets.length * sets.length,
      exec: 'conformance',
      maxDuration: '5m',
    },
    ...(session.scenario ? { session: session.scenario } : {}),
    ...load.scenarios,
  };

  const lines: string[] = [];
  lines.push(
    `// Generated ` +
      `by wsgate ${wsgateVersion} from ${scenario.file} (sha256 ${scenario.hash.slice(0, 12)}). Re-export instead ` +
      `of editing.`,
  );
  lines.push(`// Runs on k6 >= v${K6_MIN_VERSION} (TypeScript natively): k6 run ${doc.name}.k6.ts`);
  lines.push('//');
  lines.push('// Environment variables (credential values are never written into this file):');
  for (const e of env) lines.push(`//   ${e.name.padEnd(48)} ${e.field}${e.required ? '' : ' (optional override)'}`);
  if (warnings.length > 0) {
    lines.push('//');
    lines.push('// Not exported:');
    for (const w of warnings) lines.push(`//   - ${w}`);
  }
  lines.push(`import { check } from 'k6';
import encoding from 'k6/encoding';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import ws from 'k6/ws';

interface Target {
  name: string;
  url: string;
  urlEnv: string;
  /**
   * Auth verdict -> client statuses that count as it through this gateway (wsgate's outcome rule, statusMap applied).
   */
  statuses: { [verdict: string]: number[] };
}

interface CredentialSet {
  name: string;
  expect: number;
  /** Header name -> env var holding its value. */
  headers: Array<[string, string]>;
  /** Query parameter -> env var holding its value. */
  query: Array<[string, string]>;
  /** Env vars of the basic-auth user name and password. */
  basic?: [string, string];
  /** Env var of a bearer token. */
  bearer?: string;
  subprotocols: string[];
  origin?: string;
  path?: string;
  weight: number;
}

const TARGETS: Target[] = ${JSON.stringify(targets.map(targetData), null, 2)};

const SETS: CredentialSet[] = ${JSON.stringify(sets.map(setData), null, 2)};

const ECHO = ${JSON.stringify(doc.check?.echo ?? 'wsgate-echo')};
const ECHO_TIMEOUT_MS = ${doc.check?.echoTimeout ? Math.round(parseDuration(doc.check.echoTimeout)) : 2000};

/** Time from the connect call to the open event: comparable with wsgate's handshake.* metrics. */
const handshake = new Trend('wsgate_handshake', true);
/** Attempts whose status was not the expected one for their set. */
const unexpected = new Counter('wsgate_unexpected_outcomes');

export const options: Options = {
  scenarios: ${indent(JSON.stringify(scenarios, null, 2), 2)},
  thresholds: ${indent(JSON.stringify(thresholds, null, 2), 2)},
};

function secret(name: string): string {
  const value = __ENV[name];
  if (value === undefined || value === '') {
    throw new Error(\`set the environment variable \${name} (the list is at the top of this script)\`);
  }
  return value;
}

function urlFor(target: Target, set: CredentialSet): string {
  // k6 has no global URL class: split origin and path by hand.
  const base = /^(wss?:\\/\\/[^/?#]+)(.*)$/.exec(__ENV[target.urlEnv] || target.url);
  if (!base) throw new Error(\`\${target.urlEnv}: expected a ws:// or wss:// URL\`);
  // A URL given without a path (the gateway's origin) keeps the scenario's path.
  const scenarioPath = /^wss?:\\/\\/[^/?#]+(.*)$/.exec(target.url)?.[1] ?? '';
  let url = base[1] + (set.path ?? (base[2] || scenarioPath || '/'));
  const query = set.query.map(
    ([name, envName]) => \`\${encodeURIComponent(name)}=\${encodeURIComponent(secret(envName))}\`,
  );
  if (query.length > 0) url += (url.includes('?') ? '&' : '?') + query.join('&');
  return url;
}

function headersFor(set: CredentialSet): { [name: string]: string } {
  const headers: { [name: string]: string } = {};
  for (const [name, envName] of set.headers) headers[name] = secret(envName);
  if (set.basic) {
    const userPass = \`\${secret(set.basic[0])}:\${secret(set.basic[1])}\`;
    headers['Authorization'] = \`Basic \${encoding.b64encode(userPass)}\`;
  }
  if (set.bearer) headers['Authorization'] = \`Bearer \${secret(set.bearer)}\`;
  if (set.origin) headers['Origin'] = set.origin;
  if (set.subprotocols.length > 0) headers['Sec-WebSocket-Protocol'] = set.subprotocols.join(', ');
  return headers;
}

/** One upgrade attempt, checked against the set's expected verdict through the target's statusMap. */
export function attempt(target: Target, set: CredentialSet, holdMs = 0, messageEveryMs = 0): boolean {
  const tags = { target: target.name, credential: set.name };
  const expected = target.statuses[String(set.expect)];
  const started = Date.now();
  let echoed = false;
  const res = ws.connect(urlFor(target, set), { headers: headersFor(set), tags }, (socket) => {
    socket.on('open', () => {
      handshake.add(Date.now() - started, tags);
      socket.send(ECHO);
      if (messageEveryMs > 0) socket.setInterval(() => socket.send(ECHO), messageEveryMs);
    });
    socket.on('message', (message: string) => {
      if (message === ECHO) echoed = true;
      if (holdMs === 0) socket.close();
    });
    socket.setTimeout(() => socket.close(), Math.max(holdMs, ECHO_TIMEOUT_MS));
  });
  const statusName = \`\${set.name} via \${target.name}: status \${expected.join(' or ')}\`;
  const statusOk = check(res, { [statusName]: (r) => expected.includes(r.status) }, tags);
  if (!statusOk) unexpected.add(1, tags);
  if (set.expect === 200 && res.status === 101) {
    check(echoed, { [\`\${set.name} via \${target.name}: echo comes back\`]: (e) => e }, tags);
  }
  return statusOk;
}

/** Every target x credential set once, like \`wsgate check\`. */
export function conformance(): void {
  const i = exec.scenario.iterationInTest;
  attempt(TARGETS[Math.floor(i / SETS.length) % TARGETS.length], SETS[i % SETS.length]);
}

/** A credential set drawn by weight, like wsgate's load mix. */
function pickSet(sets: CredentialSet[] = SETS): CredentialSet {
  let r = Math.random() * sets.reduce((sum, s) => sum + s.weight, 0);
  for (const s of sets) {
    r -= s.weight;
    if (r < 0) return s;
  }
  return sets[sets.length - 1];
}

/** One load attempt: a set drawn by weight, targets in turn. */
export function load(): void {
  attempt(TARGETS[exec.scenario.iterationInTest % TARGETS.length], pickSet());
}

${load.functions}${session.functions}
export default function (): void {
  conformance();
}
`);
  return { script: scenario.secrets.mask(lines.join('\n')), warnings, env };
}

function targetData(t: TargetDoc) {
  const statusMap = new Map(
    Object.entries(t.statusMap ?? {}).map(([verdict, s]) => [Number(verdict), Array.isArray(s) ? s : [s]]),
  );
  // The table the script judges by is wsgate's own rule applied here, not a copy of it in the script.
  const statuses = Object.fromEntries(VERDICTS.map((v) => [String(v), [...expectedStatuses({ statusMap }, v)]]));
  return {
    name: t.name,
    // A fixture's URL is only known when wsgate starts it: a placeholder origin, the scenario's path kept.
    url: hasFixtureRef(t.url) ? fixturePlaceholder(t.url) : t.url,
    urlEnv: targetUrlEnv(t.name),
    statuses,
  };
}

/** The origin a fixture reference stands in for until WSGATE_TARGET_<NAME>_URL says where the gateway is. */
export const FIXTURE_PLACEHOLDER_ORIGIN = 'ws://127.0.0.1:8080';

/** `${fixture:gateway}/echo` as `ws://127.0.0.1:8080/echo`: the placeholder origin, the path as written. */
export function fixturePlaceholder(url: string): string {
  const replaced = url.replace(/\$\{fixture:[^}]*\}/g, FIXTURE_PLACEHOLDER_ORIGIN);
  return /^wss?:\/\/[^/?#]+[/?#]/.test(replaced) ? replaced : `${replaced}/`;
}

function setData(c: CredentialDoc) {
  const e = credentialEnv(c);
  return {
    name: c.name,
    expect: c.expect,
    headers: e.headers.map(([h, v]) => [h, v.name]),
    query: e.query.map(([q, v]) => [q, v.name]),
    ...(e.basic ? { basic: [e.basic.username.name, e.basic.password.name] } : {}),
    ...(e.bearer ? { bearer: e.bearer.name } : {}),
    subprotocols: c.subprotocols ?? [],
    ...(c.origin ? { origin: c.origin } : {}),
    ...(c.path ? { path: c.path } : {}),
    weight: c.weight ?? 1,
  };
}

function indent(text: string, spaces: number): string {
  return text.replace(/\n/g, '\n' + ' '.repeat(spaces));
}
