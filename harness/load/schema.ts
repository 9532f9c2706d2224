import { Type } from '@sinclair/typebox';
import { Duration, Strict } from '../scenario/schema-types.ts';

/** One open-model stage: a constant `rate`, or a ramp `from` -> `to`, attempts per second, for `duration`. */
export const StageSchema = Strict(
  {
    rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100000, description: 'Constant arrival rate, attempts per second (k6 constant-arrival-rate)' })),
    from: Type.Optional(Type.Number({ minimum: 0, maximum: 100000, description: 'Ramp start rate, attempts per second (k6 ramping-arrival-rate)' })),
    to: Type.Optional(Type.Number({ minimum: 0, maximum: 100000, description: 'Ramp end rate, attempts per second' })),
    duration: Duration('How long the stage lasts'),
  },
  'An arrival-rate stage: give rate, or from and to',
);

/**
 * The `load:` block: an open model of arrival-rate stages whose attempts are timed from their
 * scheduled start (no coordinated omission), drawing credential sets by weight.
 */
export const LoadSchema = Strict(
  {
    arrivalRate: Type.Array(StageSchema, { minItems: 1, description: 'Open model: stages run one after another' }),
    mix: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }), { description: 'Credential set name -> weight; default: each set\'s weight (1). Sets that need an auth fault state are never drawn' })),
    targets: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'Target names to load, in turn; default every gateway target' })),
    maxInFlight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000000, description: 'Attempts open at once before new ones are counted as dropped_schedule instead of started (default 5000)' })),
  },
  'Load: arrival-rate stages through the gateways, a weighted mix of credential sets',
);
