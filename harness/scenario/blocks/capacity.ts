import { Type } from '@sinclair/typebox';
import { Duration, Strict } from '../schema-parts.ts';

/**
 * The `capacity:` block, for `wsgate capacity`: the arrival rate steps up from `from` by `factor`
 * until a step breaks a bound, then closes in between the last step that kept them and the first
 * that did not. Targets, mix, workers and source addresses come from the `load:` block when there is one.
 */
export const CapacitySchema = Strict(
  {
    from: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 100000, description: 'First step, attempts per second; default 50' }),
    ),
    factor: Type.Optional(
      Type.Number({ minimum: 1.1, maximum: 4, description: 'Each step offers this many times the last; default 1.5' }),
    ),
    max: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 100000,
        description: 'Highest rate tried, attempts per second; default 20000',
      }),
    ),
    step: Type.Optional(Duration('How long each step offers its rate; default 5s')),
    settle: Type.Optional(
      Duration('Pause between steps, so the queues of one step do not spill into the next; default 2s'),
    ),
    p95: Type.Optional(
      Duration('A step whose time to 101 p95 (from the scheduled start) is above this broke the bound; default 250ms'),
    ),
    errors: Type.Optional(
      Type.String({
        pattern: '^[0-9]+(\\.[0-9]+)?%$',
        description: 'A step with more attempts than this share not answered as expected broke the bound; default 1%',
      }),
    ),
    refine: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 6,
        description: 'Steps spent closing in between the last rate that held and the first that broke; default 2',
      }),
    ),
  },
  'The capacity probe (wsgate capacity): step the arrival rate up until a bound breaks',
);
