/**
 * The auth vocabulary (README "Outcome model"): what the auth service answers, and the states wsgate can put
 * it in. Scenario schema, plan, results and reports all use these.
 */

/** Auth verdicts the model knows: 200 allows, everything else denies. */
export const VERDICTS = [200, 400, 401, 403, 429, 500] as const;
export type Verdict = (typeof VERDICTS)[number];

/** States the auth service is put in for a check (the scenario's `authService:` values). */
export const AUTH_STATES = ['ok', 'error', 'hang', 'down', 'garbage', 'slow'] as const;
export type AuthState = (typeof AUTH_STATES)[number];
