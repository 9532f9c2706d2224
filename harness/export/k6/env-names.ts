import type { CredentialDoc } from '../../scenario/schema.ts';

/** `valid-app` + `X-IBM-Client-Secret` as `VALID_APP_X_IBM_CLIENT_SECRET`: what an env var name may hold. */
function part(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** One value a k6 script reads from `__ENV` instead of carrying it. */
export interface EnvValue {
  name: string;
  /** Where it comes from in the scenario, for the script's header and the README. */
  field: string;
}

/** Env var names for every credential value of one set, by the field they fill. */
export function credentialEnv(set: CredentialDoc): {
  headers: Array<[string, EnvValue]>;
  query: Array<[string, EnvValue]>;
  basic?: { username: EnvValue; password: EnvValue };
  bearer?: EnvValue;
} {
  const base = `WSGATE_${part(set.name)}`;
  const v = (suffix: string, field: string): EnvValue => ({
    name: `${base}_${suffix}`,
    field: `credentials.${set.name}.${field}`,
  });
  return {
    headers: Object.keys(set.headers ?? {}).map((h) => [h, v(`HEADER_${part(h)}`, `headers.${h}`)]),
    query: Object.keys(set.query ?? {}).map((q) => [q, v(`QUERY_${part(q)}`, `query.${q}`)]),
    basic: set.basic
      ? { username: v('BASIC_USERNAME', 'basic.username'), password: v('BASIC_PASSWORD', 'basic.password') }
      : undefined,
    bearer: set.bearer || set.jwt ? v('BEARER', set.jwt ? 'jwt (minted token)' : 'bearer') : undefined,
  };
}

/** Env var that overrides a target's URL (and must be set when the URL came from a fixture). */
export function targetUrlEnv(target: string): string {
  return `WSGATE_TARGET_${part(target)}_URL`;
}

/** The values a credential set's env vars must hold, from the scenario (tests and `--print-env`). */
export function credentialEnvValues(set: CredentialDoc): Record<string, string> {
  const env = credentialEnv(set);
  const out: Record<string, string> = {};
  for (const [h, e] of env.headers) out[e.name] = set.headers![h]!;
  for (const [q, e] of env.query) out[e.name] = set.query![q]!;
  if (env.basic && set.basic) {
    out[env.basic.username.name] = set.basic.username;
    out[env.basic.password.name] = set.basic.password;
  }
  if (env.bearer && set.bearer) out[env.bearer.name] = set.bearer;
  return out;
}
