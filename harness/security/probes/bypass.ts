import type { ProbeId } from '../../model/security.ts';
import type { PlannedCredential } from '../../plan/plan.ts';
import { DEFAULT_MUST_NOT_SEE } from '../../plan/targets.ts';
import { baseRequest, FRESH_KEY, type HeaderValue, type RawRequest } from '../raw-request.ts';
import { type ProbeContext, type SecurityProbe, sendAll } from '../security-probe.ts';

/** One way of changing the denied reference's request; a safe gateway refuses every one. */
interface Variant {
  label: string;
  change(req: RawRequest): RawRequest;
}

const SAFE = 'refuses every variant (any status but 101) and the backend never sees one';

/**
 * A bypass probe: the denied reference, sent once per variant. The probe fails if any variant
 * upgrades or reaches the backend. `variants` returns a reason string when none apply.
 */
function bypassProbe(
  id: ProbeId,
  title: string,
  sends: string,
  variants: (ctx: ProbeContext, denied: PlannedCredential) => Variant[] | string,
): SecurityProbe {
  return {
    id,
    title,
    sends,
    safe: SAFE,
    async run(ctx) {
      const denied = ctx.denied;
      if (!denied) return { attempts: [], reasons: [], notRun: NO_DENIED };
      const list = variants(ctx, denied);
      if (typeof list === 'string') return { attempts: [], reasons: [], notRun: list };
      const { session, end } = await sendAll(
        ctx,
        list.map((v) => ({
          label: v.label,
          cred: denied,
          mustBeDenied: true,
          build: (attemptId: string) => v.change(baseRequest(ctx.target, denied, attemptId)),
        })),
      );
      return { attempts: session.attempts, reasons: end.reasons };
    },
  };
}

export const NO_DENIED =
  'the scenario has no denied reference: no credential set expects 401 with the auth service ok (name one in ' +
  'security.denied)';

/** The request target split into path and query ("?..." or ""). */
function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q) };
}

const withTarget = (label: string, make: (path: string, query: string) => string): Variant => ({
  label,
  change: (req) => {
    const { path, query } = splitTarget(req.target);
    return { ...req, target: make(path, query) };
  },
});

const upperFirst = (segment: string) => segment.charAt(0).toUpperCase() + segment.slice(1);
const pctFirst = (segment: string) =>
  segment ? `%${segment.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}${segment.slice(1)}` : segment;

export const bypassPath = bypassProbe(
  'bypass.path',
  'Spellings of the target path do not skip auth',
  'the denied reference on path variants: trailing slash, case, //, /./, /x/../, percent-encoding, ;params, ' +
    'absolute form, query tricks',
  (ctx, denied) => {
    const base = splitTarget(baseRequest(ctx.target, denied, '').target);
    const segments = base.path.split('/').slice(1);
    const first = segments[0] ?? '';
    const rest = segments.slice(1).join('/');
    const join = (head: string) => '/' + [head, ...(segments.length > 1 ? [rest] : [])].join('/');
    const variants: Variant[] = [
      withTarget('trailing slash', (p, q) => (p.endsWith('/') ? p.slice(0, -1) || '/' : `${p}/`) + q),
      withTarget('upper case', (p, q) => p.toUpperCase() + q),
      withTarget('first segment capitalised', (_p, q) => join(upperFirst(first)) + q),
      withTarget('leading //', (p, q) => `/${p}` + q),
      withTarget('// inside', (p, q) => p.replace(/\/([^/]*)$/, '//$1') + q),
      withTarget('/./ segment', (p, q) => `/.${p}` + q),
      withTarget('/x/../ segment', (p, q) => `/wsgate-x/..${p}` + q),
      withTarget('percent-encoded first character', (_p, q) => join(pctFirst(first)) + q),
      withTarget('percent-encoded /', (p, q) => '/' + p.slice(1).replace(/\//g, '%2F') + q),
      withTarget('percent-encoded dot segment', (p, q) => `/%2e${p}` + q),
      withTarget('trailing dot', (p, q) => `${p}.` + q),
      withTarget(';param', (p, q) => `${p};wsgate=1` + q),
      withTarget(
        'absolute form',
        (p, q) =>
          `http://${ctx.target.host.includes(':') ? `[${ctx.target.host}]` : ctx.target.host}:${ctx.target.port}` +
          `${p}${q}`,
      ),
      withTarget('empty query', (p, q) => p + (q || '?')),
      withTarget('extra query parameter', (p, q) => p + (q ? `${q}&wsgate=1` : '?wsgate=1')),
      withTarget('encoded ? in path', (p, q) => `${p}%3Fwsgate=1` + q),
      withTarget('path repeated in the query', (p, q) => p + (q ? `${q}&` : '?') + `next=${p}`),
    ];
    const original = base.path + base.query;
    const seen = new Set<string>([original]);
    // A path like "/" has fewer spellings: drop variants that come out the same.
    return variants.filter((v) => {
      const t = v.change({ method: 'GET', target: original, version: 'HTTP/1.1', headers: [] }).target;
      if (seen.has(t)) return false;
      seen.add(t);
      return true;
    });
  },
);

/** `headers` with `extra` added last, but before the key, which baseRequest puts at the end. */
const beforeKey = (headers: RawRequest['headers'], extra: Array<[string, HeaderValue]>): RawRequest['headers'] => [
  ...headers.slice(0, -1),
  ...extra,
  ...headers.slice(-1),
];

const credNames = (cred: PlannedCredential) => new Set(cred.headers.map(([n]) => n.toLowerCase()));

const renameHeaders = (
  label: string,
  rename: (name: string, isCred: boolean) => string,
  cred: PlannedCredential,
): Variant => {
  const names = credNames(cred);
  return {
    label,
    change: (req) => ({
      ...req,
      headers: req.headers.map(([n, v]): [string, HeaderValue] => [rename(n, names.has(n.toLowerCase())), v]),
    }),
  };
};

const alternate = (name: string) => [...name].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join('');

export const bypassHeaderCase = bypassProbe(
  'bypass.header-case',
  'Header name case does not change the decision',
  'the denied reference with header names in lower case, upper case and alternating case, and with its credential ' +
    'headers removed',
  (_ctx, denied) => {
    const names = credNames(denied);
    return [
      renameHeaders('all header names lower case', (n) => n.toLowerCase(), denied),
      renameHeaders('all header names upper case', (n) => n.toUpperCase(), denied),
      renameHeaders('credential header names in alternating case', (n, isCred) => (isCred ? alternate(n) : n), denied),
      {
        label: 'credential headers removed',
        change: (req) => ({ ...req, headers: req.headers.filter(([n]) => !names.has(n.toLowerCase())) }),
      },
    ];
  },
);

/**
 * Headers of the allowed reference an attacker could know: not secret for this target (a client id, not its secret).
 */
function publicHeadersOf(ctx: ProbeContext): Array<[string, string]> {
  const mustNotSee = ctx.target.backend?.mustNotSee ?? DEFAULT_MUST_NOT_SEE;
  return (ctx.allowed?.headers ?? []).filter(([n]) => !mustNotSee.includes(n.toLowerCase()));
}

/** `req` with `extra` inserted right before (or after) the first header named `name`. */
function insertNear(req: RawRequest, name: string, extra: [string, string], before: boolean): RawRequest {
  const i = req.headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
  const headers = [...req.headers];
  headers.splice(before ? i : i + 1, 0, extra);
  return { ...req, headers };
}

export const bypassDuplicateHeaders = bypassProbe(
  'bypass.duplicate-headers',
  'Duplicate credential headers do not let a denied caller in',
  'the denied reference with each credential header sent twice, and with a second copy holding the allowed ' +
    "reference's non-secret value (e.g. a valid client id) first or last",
  (ctx, denied) => {
    const variants: Variant[] = [];
    const known = publicHeadersOf(ctx);
    for (const [name, value] of denied.headers) {
      variants.push({ label: `${name} twice`, change: (req) => insertNear(req, name, [name, value], false) });
      const valid = known.find(([n, v]) => n.toLowerCase() === name.toLowerCase() && v !== value);
      if (valid) {
        variants.push({
          label: `${name}: valid value first, denied value second`,
          change: (req) => insertNear(req, name, [name, valid[1]], true),
        });
        variants.push({
          label: `${name}: denied value first, valid value second`,
          change: (req) => insertNear(req, name, [name, valid[1]], false),
        });
        variants.push({
          label: `${name}: valid value in a differently cased duplicate`,
          change: (req) =>
            insertNear(
              req,
              name,
              [name.toLowerCase() === name ? name.toUpperCase() : name.toLowerCase(), valid[1]],
              true,
            ),
        });
      }
    }
    for (const [name] of denied.query) {
      variants.push(
        withTarget(`query parameter ${name} twice`, (p, q) => {
          const params = new URLSearchParams(q);
          const v = params.get(name) ?? '';
          return `${p}${q}&${new URLSearchParams([[name, v]]).toString()}`;
        }),
      );
    }
    return variants.length > 0 ? variants : 'the denied reference carries no header or query credentials to duplicate';
  },
);

export const bypassCredentialPlacement = bypassProbe(
  'bypass.credential-placement',
  'Credentials moved between query and headers do not let a denied caller in',
  'the denied reference with its header credentials moved into the query (and copied there), and its query ' +
    'credentials moved into headers',
  (_ctx, denied) => {
    const names = credNames(denied);
    const query = new URLSearchParams(denied.headers).toString();
    const addQuery = (t: string) => t + (t.includes('?') ? '&' : '?') + query;
    const variants: Variant[] = [];
    if (denied.headers.length > 0) {
      variants.push({
        label: 'header credentials moved into the query',
        change: (req) => ({
          ...req,
          target: addQuery(req.target),
          headers: req.headers.filter(([n]) => !names.has(n.toLowerCase())),
        }),
      });
      variants.push({
        label: 'header credentials also in the query',
        change: (req) => ({ ...req, target: addQuery(req.target) }),
      });
    }
    if (denied.query.length > 0) {
      const params = new Set(denied.query.map(([n]) => n));
      variants.push({
        label: 'query credentials moved into headers',
        change: (req) => {
          const { path, query: q } = splitTarget(req.target);
          const kept = new URLSearchParams(q);
          for (const p of params) kept.delete(p);
          const rest = kept.toString();
          return { ...req, target: path + (rest ? `?${rest}` : ''), headers: beforeKey(req.headers, denied.query) };
        },
      });
    }
    return variants.length > 0 ? variants : 'the denied reference carries no header or query credentials to move';
  },
);

const setVersion = (label: string, version: string, dropHost = false): Variant => ({
  label,
  change: (req) => ({
    ...req,
    version,
    headers: dropHost ? req.headers.filter(([n]) => n.toLowerCase() !== 'host') : req.headers,
  }),
});

export const bypassHttp10 = bypassProbe(
  'bypass.http10',
  'An HTTP/1.0 or odd-version upgrade is judged like any other',
  'the denied reference as HTTP/1.0 (with and without Host), HTTP/1.2 and lower-case http/1.1',
  () => [
    setVersion('HTTP/1.0', 'HTTP/1.0'),
    setVersion('HTTP/1.0 without Host', 'HTTP/1.0', true),
    setVersion('HTTP/1.2', 'HTTP/1.2'),
    setVersion('lower-case http/1.1', 'http/1.1'),
  ],
);

/** Replace the values of header `name` (all of them) with `values`, at the first one's place; none removes it. */
function setHeader(req: RawRequest, name: string, values: HeaderValue[]): RawRequest {
  const lower = name.toLowerCase();
  const i = req.headers.findIndex(([n]) => n.toLowerCase() === lower);
  const rest = req.headers.filter(([n]) => n.toLowerCase() !== lower);
  const at = i < 0 ? rest.length : i;
  return {
    ...req,
    headers: [...rest.slice(0, at), ...values.map((v): [string, HeaderValue] => [name, v]), ...rest.slice(at)],
  };
}

const headerVariant = (label: string, name: string, values: HeaderValue[]): Variant => ({
  label,
  change: (req) => setHeader(req, name, values),
});

export const bypassWebSocketKey = bypassProbe(
  'bypass.websocket-key',
  'A missing or bad Sec-WebSocket-Key does not skip auth',
  'the denied reference with Sec-WebSocket-Key missing, empty, not base64, too short, and twice',
  () => [
    headerVariant('Sec-WebSocket-Key missing', 'Sec-WebSocket-Key', []),
    headerVariant('Sec-WebSocket-Key empty', 'Sec-WebSocket-Key', ['']),
    headerVariant('Sec-WebSocket-Key not base64', 'Sec-WebSocket-Key', ['not a base64 key!']),
    headerVariant('Sec-WebSocket-Key of 8 bytes', 'Sec-WebSocket-Key', ['d3NnYXRlLTg=']),
    headerVariant('Sec-WebSocket-Key twice', 'Sec-WebSocket-Key', [FRESH_KEY, 'd3NnYXRlLWtleS0wMDAwMA==']),
  ],
);

export const bypassWebSocketVersion = bypassProbe(
  'bypass.websocket-version',
  'A wrong Sec-WebSocket-Version does not skip auth',
  'the denied reference with Sec-WebSocket-Version missing, 8, 12, 14, "13, 8" and twice',
  () => [
    headerVariant('Sec-WebSocket-Version missing', 'Sec-WebSocket-Version', []),
    headerVariant('Sec-WebSocket-Version: 8', 'Sec-WebSocket-Version', ['8']),
    headerVariant('Sec-WebSocket-Version: 12', 'Sec-WebSocket-Version', ['12']),
    headerVariant('Sec-WebSocket-Version: 14', 'Sec-WebSocket-Version', ['14']),
    headerVariant('Sec-WebSocket-Version: 13, 8', 'Sec-WebSocket-Version', ['13, 8']),
    headerVariant('Sec-WebSocket-Version twice (8, then 13)', 'Sec-WebSocket-Version', ['8', '13']),
  ],
);

export const bypassConnectionHeader = bypassProbe(
  'bypass.connection-header',
  'Connection and Upgrade header spellings do not skip auth',
  'the denied reference with Connection: keep-alive, Upgrade (and reversed, lower, upper case, split over two ' +
    'headers, missing) and Upgrade: WebSocket, "websocket, h2c" or missing',
  () => [
    headerVariant('Connection: keep-alive, Upgrade', 'Connection', ['keep-alive, Upgrade']),
    headerVariant('Connection: Upgrade, keep-alive', 'Connection', ['Upgrade, keep-alive']),
    headerVariant('Connection: upgrade', 'Connection', ['upgrade']),
    headerVariant('Connection: UPGRADE', 'Connection', ['UPGRADE']),
    headerVariant('Connection: keep-alive and Connection: Upgrade', 'Connection', ['keep-alive', 'Upgrade']),
    headerVariant('Connection missing', 'Connection', []),
    headerVariant('Upgrade: WebSocket', 'Upgrade', ['WebSocket']),
    headerVariant('Upgrade: websocket, h2c', 'Upgrade', ['websocket, h2c']),
    headerVariant('Upgrade missing', 'Upgrade', []),
  ],
);

/** `req` with `filler` headers put before the first credential header (where a truncating gateway would cut). */
function fillBefore(req: RawRequest, names: Set<string>, filler: Array<[string, string]>): RawRequest {
  let i = req.headers.findIndex(([n]) => names.has(n.toLowerCase()));
  if (i < 0) i = req.headers.length - 1;
  return { ...req, headers: [...req.headers.slice(0, i), ...filler, ...req.headers.slice(i)] };
}

export const bypassOversizedHeaders = bypassProbe(
  'bypass.oversized-headers',
  'Oversized headers do not push the credentials out of sight',
  'the denied reference with an 8 KiB, a 15 KiB and a 64 KiB header, and with 300 small headers, before its ' +
    'credentials',
  (_ctx, denied) => {
    const names = credNames(denied);
    const big = (kib: number): Variant => ({
      label: `${kib} KiB header before the credentials`,
      change: (req) => fillBefore(req, names, [['X-Wsgate-Filler', 'a'.repeat(kib * 1024)]]),
    });
    return [
      big(8),
      big(15),
      big(64),
      {
        label: '300 headers before the credentials',
        change: (req) =>
          fillBefore(
            req,
            names,
            Array.from({ length: 300 }, (_, i): [string, string] => [`X-Wsgate-Filler-${i}`, 'a']),
          ),
      },
    ];
  },
);

/**
 * The credential header lines of `cred` joined by `sep` into one header, so only a lenient parser splits them again.
 */
function joinCredentials(req: RawRequest, cred: PlannedCredential, sep: string): RawRequest {
  const names = credNames(cred);
  const creds = req.headers.filter(([n]) => names.has(n.toLowerCase()));
  const others = req.headers.filter(([n]) => !names.has(n.toLowerCase()));
  const joined = creds.map(([n, v]) => `${n}: ${String(v)}`).join(sep);
  return { ...req, headers: beforeKey(others, [['X-Wsgate-Note', `x${sep}${joined}`]]) };
}

export const bypassCrlf = bypassProbe(
  'bypass.crlf',
  'CR, LF and NUL inside header values do not smuggle a decision',
  'the denied reference with its credential headers hidden behind a bare LF, a bare CR, an obs-fold continuation, ' +
    'with a NUL byte, and with a space before the colon',
  (_ctx, denied) => {
    if (denied.headers.length === 0) return 'the denied reference carries no credential headers to split';
    const [name, value] = denied.headers[0]!;
    return [
      { label: 'credential headers after a bare LF in a value', change: (req) => joinCredentials(req, denied, '\n') },
      { label: 'credential headers after a bare CR in a value', change: (req) => joinCredentials(req, denied, '\r') },
      // Folded before the value, never inside it: a split secret could not be masked in the report.
      { label: `${name} on a continuation line (obs-fold)`, change: (req) => setHeader(req, name, [`\r\n ${value}`]) },
      { label: `NUL byte in ${name}`, change: (req) => setHeader(req, name, [`${value}\u0000`]) },
      {
        label: `space before the colon of ${name}`,
        change: (req) => ({
          ...req,
          headers: req.headers.map(([n, v]): [string, HeaderValue] => [n === name ? `${n} ` : n, v]),
        }),
      },
    ];
  },
);

export const BYPASS_PROBES: SecurityProbe[] = [
  bypassPath,
  bypassHeaderCase,
  bypassDuplicateHeaders,
  bypassCredentialPlacement,
  bypassHttp10,
  bypassWebSocketKey,
  bypassWebSocketVersion,
  bypassConnectionHeader,
  bypassOversizedHeaders,
  bypassCrlf,
];
