import { Type } from '@sinclair/typebox';
import { Duration, Name, Strict } from '../schema-parts.ts';

const Count = (description: string, max = 100_000) => Type.Integer({ minimum: 1, maximum: max, description });

const Tolerate = Type.Optional(
  Type.Array(Name('A target name'), {
    description:
      'Targets whose failure of this check is reported as a finding, not a failure: a known limitation you accept ' +
      '(e.g. Caddy 2.6, which has no stream_close_delay and drops every WebSocket on a reload)',
  }),
);

const Choice = Type.Union([Type.Literal('fail'), Type.Literal('finding')]);

export const IdleSchema = Strict(
  {
    connections: Type.Optional(Count('Silent connections per target (and as many again that ping); default 3', 10_000)),
    pingEvery: Type.Optional(
      Duration('Also hold connections that send a ping this often (0s: silent ones only); default 0s'),
    ),
    max: Duration('How long to watch at most; the watch ends sooner when every connection has ended'),
    mustSurvive: Type.Optional(
      Duration('A connection ended before this is a failure (idle.dropped_before); default: the whole watch'),
    ),
    tolerate: Tolerate,
  },
  'Idle survival: upgraded connections held without traffic (and with client pings); when and how each ended',
);

export const ReloadSchema = Strict(
  {
    connections: Type.Optional(Count('Held connections per target, each exchanging messages; default 50', 1_000_000)),
    rampUp: Type.Optional(Duration('How long opening them takes; default 1s')),
    messageEvery: Type.Optional(Duration('Each held connection sends a message this often; default 500ms')),
    arrivalRate: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100_000,
        description: 'New upgrades per second throughout, besides the held ones; default 20 (0: none)',
      }),
    ),
    at: Type.Optional(Duration('Reload this long after every held connection is open; default 1s')),
    observe: Type.Optional(Duration('How long to keep holding after the reload began; default 3s')),
    drainDeadline: Type.Optional(
      Duration(
        "Your gateway's own drain deadline for old processes after a reload (the fixtures' are known): old " +
          'processes alive past it fail the check',
      ),
    ),
    tolerate: Tolerate,
  },
  'Reload under load: held connections exchanging messages and new arrivals, the reload at a set time',
);

export const ReconnectSchema = Strict(
  {
    policy: Type.Union([Type.Literal('immediate'), Type.Literal('fixed'), Type.Literal('exponential')], {
      description:
        'immediate: retry at once · fixed: wait delay between attempts · exponential: delay doubled per failed ' +
        'attempt up to maxDelay (default)',
    }),
    delay: Type.Optional(Duration('First wait (fixed: every wait); default 100ms')),
    maxDelay: Type.Optional(Duration('Longest wait of exponential backoff; default 2s')),
    jitter: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'Each wait varies by ± this share, at random; default 0.5' }),
    ),
    maxAttempts: Type.Optional(Count('Attempts per lost session before its client gives up; default 50', 10_000)),
  },
  'How clients reconnect after losing their connection',
);

export const RestartSchema = Strict(
  {
    connections: Type.Optional(Count('Held connections per target; default 200', 1_000_000)),
    rampUp: Type.Optional(Duration('How long opening them takes; default 1s')),
    cause: Type.Optional(
      Type.Union([Type.Literal('restart'), Type.Literal('backend-close')], {
        description:
          "restart: the target's restart (a fixture's stop and start, or your hook) · backend-close: the bundled " +
          'echo backend closes every session (1012) while the gateway stays up, which is where an auth cache shows; ' +
          'default restart',
      }),
    ),
    reconnect: Type.Optional(ReconnectSchema),
    within: Type.Optional(
      Duration('Every lost session must be back within this (the storm is watched no longer); default 30s'),
    ),
    tolerate: Tolerate,
  },
  'Restart and reconnect storm: held clients lose their connections and come back by a policy',
);

export const CredentialsSchema = Strict(
  {
    expiring: Type.Optional(
      Name('A JWT credential set (expect 200): its token is minted anew for this check and held past its expiry'),
    ),
    expiresIn: Type.Optional(Duration("Lifetime of the token minted for this check; default the set's expiresIn")),
    revoke: Type.Optional(
      Name(
        'A credential set (expect 200) whose client id, user name or JWT subject is revoked while its sessions ' +
          'are open',
      ),
    ),
    revokeAfter: Type.Optional(Duration('Revoke this long after the sessions are open; default 1s')),
    connections: Type.Optional(Count('Sessions per target and set; default 2', 1000)),
    messageEvery: Type.Optional(Duration('Each session sends a message this often; default 250ms')),
    observe: Type.Optional(Duration('How long to watch past the expiry or revocation; default 5s')),
    outlives: Type.Optional(
      Type.Union([Choice, Type.Record(Name('A target name'), Choice)], {
        description:
          'What a session that outlives its credential is: fail, or finding (default: most gateways check only at ' +
          'the upgrade); a map per target, unlisted targets finding',
      }),
    ),
    tolerate: Tolerate,
  },
  'Sessions that outlive their credential: an expiring JWT, a revoked client id; reconnecting must get 401',
);

export const AuthPressureSchema = Strict(
  {
    ladder: Type.Array(Duration('A delay of the auth service'), {
      minItems: 1,
      maxItems: 20,
      description: 'Delays the auth service answers after, one step each, in order (its slow state)',
    }),
    step: Type.Optional(Duration('How long each step lasts; default 2s')),
    rate: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10_000,
        description: 'Upgrades per second per target, half of each set; default 20',
      }),
    ),
    allowed: Type.Optional(Name('The set that must get in while the auth service answers in time (expect 200)')),
    denied: Type.Optional(Name('A set the auth service refuses (expect 401/403): it must never get in')),
    tolerate: Tolerate,
  },
  'Auth call timing under load: the delay at which each gateway fails closed, and any upgrade that did not wait',
);

export const GatewayHooksSchema = Strict(
  {
    reload: Type.Optional(
      Type.String({ description: 'Shell command that reloads this gateway; exits once it serves' }),
    ),
    restart: Type.Optional(Type.String({ description: 'Shell command that restarts this gateway' })),
  },
  "Shell commands for your own gateway's reload and restart",
);

/**
 * The `lifecycle:` block: what time and change do to sessions through each gateway. Every check is
 * optional; each runs on every lifecycle target in turn (idle and credentials on all at once).
 */
export const LifecycleSchema = Strict(
  {
    targets: Type.Optional(
      Type.Array(Name('A target name'), { minItems: 1, description: 'Targets to check; default every gateway target' }),
    ),
    credential: Type.Optional(
      Name('The set held (expect 200, auth service ok); default the first such set that every target upgrades'),
    ),
    idle: Type.Optional(IdleSchema),
    reload: Type.Optional(ReloadSchema),
    restart: Type.Optional(RestartSchema),
    credentials: Type.Optional(CredentialsSchema),
    authPressure: Type.Optional(AuthPressureSchema),
    gatewayHooks: Type.Optional(
      Type.Record(Name('A target name'), GatewayHooksSchema, {
        description: "Reload and restart of your own gateways, per target (the bundled fixtures' are built in)",
      }),
    ),
    authHooks: Type.Optional(
      Strict(
        {
          revoke: Type.Optional(
            Type.String({ description: 'Revokes $WSGATE_SUBJECT (client id, user, JWT subject) of $WSGATE_SET' }),
          ),
          unrevoke: Type.Optional(Type.String({ description: 'Undoes every revocation' })),
          delay: Type.Optional(
            Type.String({ description: 'Makes your auth service answer after $WSGATE_AUTH_DELAY_MS ms (0 restores)' }),
          ),
        },
        "Shell commands for your own auth service (the bundled one's control URL is used with authService.control)",
      ),
    ),
    authStats: Type.Optional(
      Type.String({
        description:
          "The bundled auth service's counters (${fixture:auth.stats}, the default with fixtures): its request " +
          'rate and latency during a storm',
      }),
    ),
    workers: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 64, description: 'Load processes for reload and authPressure; default 1' }),
    ),
    saturation: Type.Optional(
      Type.Union([Type.Literal('fail'), Type.Literal('warn')], {
        description: 'What a saturated load generator does to the run (as load.saturation); default fail',
      }),
    ),
  },
  'Time and change: idle limits, reloads under load, restart storms, sessions outliving credentials, slow auth',
);
