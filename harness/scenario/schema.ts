import { type Static, Type } from '@sinclair/typebox';
import { AUTH_STATES } from '../model/auth.ts';
import { FIXTURE_GATEWAYS } from '../model/fixtures.ts';
import { CapacitySchema } from './blocks/capacity.ts';
import { CompareSchema } from './blocks/compare.ts';
import { LifecycleSchema } from './blocks/lifecycle.ts';
import { LoadSchema } from './blocks/load.ts';
import { OverheadSchema } from './blocks/overhead.ts';
import { SecuritySchema } from './blocks/security.ts';
import { SessionSchema, TargetSessionSchema } from './blocks/session.ts';
import { TrendSchema } from './blocks/trend.ts';
import { Duration, Name, Strict, VerdictSchema } from './schema-parts.ts';

/**
 * The one schema of a scenario file. TypeScript types, validation and the published JSON Schema
 * (wsgate.schema.json, for yaml-language-server) all come from here.
 */

const Pem = (description: string) =>
  Type.String({ minLength: 1, description: `${description}: PEM text, usually \${file:path}` });

export const TlsSchema = Strict(
  {
    ca: Type.Optional(Pem('CA certificate(s) to trust')),
    cert: Type.Optional(Pem('Client certificate for mutual TLS (used when the credential set has none)')),
    key: Type.Optional(Pem('Private key of the client certificate')),
    servername: Type.Optional(Type.String({ description: 'SNI server name, when it differs from the URL host' })),
    insecure: Type.Optional(
      Type.Boolean({ description: 'Skip certificate verification (never in production checks)' }),
    ),
  },
  'TLS options for wss:// targets',
);

const StatusList = Type.Union([
  Type.Integer({ minimum: 100, maximum: 599 }),
  Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1 }),
]);

export const TargetSchema = Strict(
  {
    name: Name('Target name, used in reports'),
    url: Type.String({
      pattern: '^(wss?://|\\$\\{fixture:)',
      description: 'Gateway URL (ws:// or wss://), path included; ${fixture:gateway} for the bundled one',
    }),
    tls: Type.Optional(TlsSchema),
    statusMap: Type.Optional(
      Type.Record(Type.String({ pattern: '^[1-5][0-9][0-9]$' }), StatusList, {
        description:
          'How this gateway maps an auth verdict to the client status, e.g. {400: 500} for nginx; a list ' +
          'allows several',
      }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Extra headers sent with every attempt to this target (not secret)',
      }),
    ),
    backend: Type.Optional(
      Strict(
        {
          record: Type.String({
            description: "URL of the echo backend's connection record (GET), to prove what reached the backend",
          }),
          mustNotSee: Type.Optional(
            Type.Array(Type.String(), {
              description:
                'Header or query parameter names the gateway must strip before the backend (default: ' +
                'X-IBM-Client-Secret, Authorization, apikey)',
            }),
          ),
          secretsMayPass: Type.Optional(
            Type.Boolean({
              description:
                'Allow secret values to reach the backend (default false: any secret seen there fails the check)',
            }),
          ),
        },
        'What the backend behind this gateway saw',
      ),
    ),
    baseline: Type.Optional(
      Type.Boolean({
        description:
          'A route to the same backend WITHOUT auth, used only as an overhead baseline: conformance, security and ' +
          'load skip it',
      }),
    ),
    timeouts: Type.Optional(
      Strict(
        {
          connect: Type.Optional(Duration('TCP (and TLS) connect timeout, default 5s')),
          handshake: Type.Optional(Duration('Time from sending the upgrade to a complete response head, default 10s')),
        },
        'Per-attempt timeouts',
      ),
    ),
    session: Type.Optional(TargetSessionSchema),
  },
  'A gateway under test',
);

export const JwtSchema = Strict(
  {
    privateKey: Pem('Signing key (PKCS#8 PEM) for the token minted at run time'),
    alg: Type.Optional(Type.String({ description: 'JWS algorithm, default RS256' })),
    kid: Type.Optional(Type.String({ description: 'Key id placed in the JWT header' })),
    issuer: Type.Optional(Type.String()),
    audience: Type.Optional(Type.String()),
    subject: Type.Optional(Type.String()),
    expiresIn: Type.Optional(Duration('Lifetime from now; negative for an already-expired token, default 5m')),
    claims: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Extra claims' })),
  },
  'A bearer JWT minted with jose when the run starts',
);

export const CredentialSchema = Strict(
  {
    name: Name('Credential set name, used in reports'),
    description: Type.Optional(Type.String()),
    expect: VerdictSchema,
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Literal headers, e.g. X-IBM-Client-Id / X-IBM-Client-Secret (secret)',
      }),
    ),
    query: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Query parameters added to the target URL, e.g. an API key (secret)',
      }),
    ),
    basic: Type.Optional(Strict({ username: Type.String(), password: Type.String() }, 'HTTP basic auth (secret)')),
    bearer: Type.Optional(Type.String({ description: 'A static bearer token (secret)' })),
    jwt: Type.Optional(JwtSchema),
    clientCert: Type.Optional(
      Strict({ cert: Pem('Client certificate'), key: Pem('Its private key') }, 'Client certificate for mutual TLS'),
    ),
    subprotocols: Type.Optional(Type.Array(Type.String(), { description: 'Sec-WebSocket-Protocol values offered' })),
    origin: Type.Optional(Type.String({ description: 'Origin header' })),
    path: Type.Optional(
      Type.String({ pattern: '^/', description: "Path (and query) used instead of the target URL's path" }),
    ),
    authService: Type.Optional(
      Type.Union(
        AUTH_STATES.map((s) => Type.Literal(s)),
        {
          description:
            "State the auth service is put in for this set's check: ok, error (500), hang, down, garbage, slow. " +
            'Needs authService control',
        },
      ),
    ),
    weight: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'Share of this set in the load mix (default 1)' }),
    ),
  },
  'A credential set and the auth verdict it must get',
);

export const AuthServiceSchema = Strict(
  {
    control: Type.Optional(
      Type.String({
        description:
          'Control URL of a wsgate auth fixture (${fixture:auth.control}); lets sets put it into fault states',
      }),
    ),
    hooks: Type.Optional(
      Type.Record(Type.Union(AUTH_STATES.map((s) => Type.Literal(s))), Type.String(), {
        description: 'Shell commands that put your own auth service into a state (ok restores it)',
      }),
    ),
    requests: Type.Optional(
      Type.String({
        description:
          "URL of the auth service's record of the requests it got (${fixture:auth.requests}), for the " +
          'auth.hop-by-hop session check',
      }),
    ),
  },
  'How wsgate can put the auth service into fault states',
);

export const CheckSchema = Strict(
  {
    echo: Type.Optional(
      Type.String({ description: 'Message sent after an upgrade; it must come back (default "wsgate-echo")' }),
    ),
    echoTimeout: Type.Optional(Duration('How long the echo may take, default 2s')),
    settle: Type.Optional(Duration('Wait after a denied attempt before reading the backend record, default 100ms')),
  },
  'Conformance check options',
);

const GatewayName = Type.Union(
  FIXTURE_GATEWAYS.map((g) => Type.Literal(g)),
  { description: 'A gateway fixture' },
);

export const FixturesSchema = Type.Union(
  [
    Type.Boolean(),
    Strict(
      {
        gateway: Type.Optional(
          Type.Union(
            FIXTURE_GATEWAYS.map((g) => Type.Literal(g)),
            { description: 'Which gateway fixture to start, default reference' },
          ),
        ),
        gateways: Type.Optional(Type.Array(GatewayName, { description: 'Several gateway fixtures at once' })),
        authTimeout: Type.Optional(Duration('How long gateways wait for the auth service, default 1s')),
        processes: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 32,
            description:
              'Run the echo backend and the reference gateway as this many processes sharing one port each, to ' +
              'hold more connections than one process can (20,000 open files each); default 1',
          }),
        ),
        http2: Type.Optional(
          Type.Boolean({
            description:
              'Gateways that can (reference, haproxy) also serve WebSockets over HTTP/2 (RFC 8441): ' +
              '${fixture:gateway.h2} and ${fixture:gateway.<name>.h2} say where',
          }),
        ),
        sessionRecheck: Type.Optional(
          Duration('Reference gateway: ask the auth service again this often for open sessions; default 2s, 0s off'),
        ),
        authCache: Type.Optional(Duration('Reference gateway: keep allow decisions this long; default 0s (off)')),
        variants: Type.Optional(
          Type.Record(Type.String(), Type.String(), {
            description:
              'A configuration variant per gateway fixture: reference default|auth-cache, nginx ' +
              'shipped|default-timeouts|no-shutdown-timeout, caddy shipped|no-stream-close-delay, haproxy ' +
              'shipped|default-timeouts',
          }),
        ),
        limits: Type.Optional(
          Type.Record(
            Type.String(),
            Strict(
              {
                idle: Type.Optional(Duration("Replaces the variant's idle limit (proxy_read_timeout, timeout tunnel)")),
                drain: Type.Optional(
                  Duration("Replaces the variant's drain limit after a reload (worker_shutdown_timeout)"),
                ),
              },
              'Limits of one real gateway fixture',
            ),
            {
              description:
                'Per real gateway fixture (nginx, haproxy, caddy): replace its idle and drain limits, so a limit ' +
                'of a minute or more in the variant can be observed in seconds',
            },
          ),
        ),
        backend: Type.Optional(
          Strict(
            {
              maxMessageBytes: Type.Optional(
                Type.Integer({
                  minimum: 1,
                  description: 'Close with 1009 past this message size; default 16 MiB',
                }),
              ),
              perMessageDeflate: Type.Optional(
                Type.Boolean({ description: 'Agree to permessage-deflate when offered; default true' }),
              ),
              subprotocols: Type.Optional(
                Type.Array(Type.String(), {
                  description: 'Subprotocols it accepts (first offered that is listed); default: the first offered',
                }),
              ),
            },
            'What the echo backend accepts',
          ),
        ),
      },
      'Bundled fixtures to start for this run',
    ),
  ],
  { description: 'Start the bundled echo backend, auth service and reference gateway on loopback for this run' },
);

export const ScenarioSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Name('Scenario name; reports land in reports/<name>-<timestamp>/'),
    description: Type.Optional(Type.String()),
    fixtures: Type.Optional(FixturesSchema),
    targets: Type.Array(TargetSchema, { minItems: 1, description: 'Gateways under test' }),
    authService: Type.Optional(AuthServiceSchema),
    credentials: Type.Array(CredentialSchema, {
      minItems: 1,
      description: 'Credential sets and their expected verdicts',
    }),
    check: Type.Optional(CheckSchema),
    thresholds: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Expressions that gate the exit code, e.g. "unexpected_outcomes == 0", "handshake.p95 < 50ms"',
      }),
    ),
    load: Type.Optional(LoadSchema),
    overhead: Type.Optional(OverheadSchema),
    security: Type.Optional(SecuritySchema),
    session: Type.Optional(SessionSchema),
    compare: Type.Optional(CompareSchema),
    trend: Type.Optional(TrendSchema),
    capacity: Type.Optional(CapacitySchema),
    lifecycle: Type.Optional(LifecycleSchema),
  },
  { additionalProperties: false, $id: 'https://wsgate.dev/schema/scenario.json', title: 'wsgate scenario' },
);

export type ScenarioDoc = Static<typeof ScenarioSchema>;
export type TargetDoc = Static<typeof TargetSchema>;
export type CredentialDoc = Static<typeof CredentialSchema>;
