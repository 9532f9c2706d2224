import { Type } from '@sinclair/typebox';
import { Duration, Strict } from '../schema-parts.ts';

/** One open-model stage: a constant `rate`, or a ramp `from` -> `to`, attempts per second, for `duration`. */
export const StageSchema = Strict(
  {
    rate: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 100000,
        description: 'Constant arrival rate, attempts per second (k6 constant-arrival-rate)',
      }),
    ),
    from: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100000,
        description: 'Ramp start rate, attempts per second (k6 ramping-arrival-rate)',
      }),
    ),
    to: Type.Optional(Type.Number({ minimum: 0, maximum: 100000, description: 'Ramp end rate, attempts per second' })),
    duration: Duration('How long the stage lasts'),
  },
  'An arrival-rate stage: give rate, or from and to',
);

/** Closed model: open `count` upgraded connections over `rampUp`, hold them for `hold`, then close. */
export const ConnectionsSchema = Strict(
  {
    count: Type.Integer({
      minimum: 1,
      maximum: 1000000,
      description: 'Upgraded connections to hold at once (k6 ramping-vus target)',
    }),
    rampUp: Type.Optional(Duration('How long opening them takes, evenly spread; default 10s')),
    hold: Duration('How long to hold them once all are open'),
    messageEvery: Type.Optional(
      Duration('Each held connection sends a text message this often and times its echo; default 5s, 0s for none'),
    ),
    messageBytes: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65536, description: 'Size of each message, default 32 bytes' }),
    ),
    messageTimeout: Type.Optional(Duration('An echo later than this counts as echo_failed; default 5s')),
  },
  'Held connections: ramp up, hold with periodic messages, close',
);

/**
 * The `load:` block: an open model of arrival-rate stages whose attempts are timed from their
 * scheduled start (no coordinated omission), and/or a closed model of held connections; both
 * start together and draw credential sets by weight, spread over worker processes.
 */
export const LoadSchema = Strict(
  {
    arrivalRate: Type.Optional(
      Type.Array(StageSchema, {
        minItems: 1,
        description: 'Open model: stages run one after another (a {from: 0, to: 0} stage is a pause)',
      }),
    ),
    connections: Type.Optional(ConnectionsSchema),
    mix: Type.Optional(
      Type.Record(Type.String(), Type.Number({ minimum: 0 }), {
        description:
          "Credential set name -> weight; default: each set's weight (1). Sets that need an auth fault state are " +
          'never drawn',
      }),
    ),
    targets: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        description: 'Target names to load, in turn; default every gateway target',
      }),
    ),
    maxInFlight: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000000,
        description:
          'Attempts in their handshake at once, over all workers, before scheduled ones are skipped and counted ' +
          '(default 5000)',
      }),
    ),
    workers: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 64,
        description: 'Load worker processes, each with its own open-file limit; default one per core',
      }),
    ),
    saturation: Type.Optional(
      Type.Union([Type.Literal('fail'), Type.Literal('warn')], {
        description:
          'What a saturated load generator does to the verdict: fail (default) marks the run invalid (exit 3), ' +
          'since its numbers describe wsgate and not the target; warn only reports it (e.g. on a machine you know ' +
          'is shared)',
      }),
    ),
    sourceAddresses: Type.Optional(
      Type.Array(Type.String({ description: 'An IP address of this host' }), {
        minItems: 1,
        description:
          'Local addresses to connect from, rotated, past the ~28k ephemeral ports of one address pair; default ' +
          'for loopback targets: 127.0.0.2, 127.0.0.3, ... as many as the plan needs',
      }),
    ),
  },
  'Load: arrival-rate stages and/or held connections through the gateways, a weighted mix of credential sets',
);
