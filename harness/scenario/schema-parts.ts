import { type TSchema, Type } from '@sinclair/typebox';
import { VERDICTS } from '../model/auth.ts';

/** Shared schema pieces used by every block of a scenario. */

/** `250ms`, `2s`, `1.5m`, `1h`; negative allowed where the field says so (JWT expiry in the past). */
export const DURATION_PATTERN = '^-?[0-9]+(\\.[0-9]+)?(ms|s|m|h)$';

export const Duration = (description: string) =>
  Type.String({
    pattern: DURATION_PATTERN,
    description: `${description} (e.g. 500ms, 2s, 1m)`,
    examples: ['500ms', '2s', '1m'],
  });

/** An object that rejects unknown keys, so typos are caught with a "did you mean". */
export const Strict = <T extends Record<string, TSchema>>(properties: T, description: string) =>
  Type.Object(properties, { additionalProperties: false, description });

export const Name = (description: string) =>
  Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 64, description });

export const VerdictSchema = Type.Union(
  VERDICTS.map((v) => Type.Literal(v)),
  {
    description:
      'Expected auth verdict: 200 must upgrade; 400/401/403/429/500 must be denied with that status (after the ' +
      "target's statusMap)",
  },
);
