import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** `${env:NAME}`, `${file:path}`, `${fixture:name}`; fixtures are resolved later, at plan time. */
const REF = /\$\{(env|file|fixture):([^}]*)\}/g;

export interface Interpolated {
  value: string;
  /** The value came (in part) from the environment or a file: it is secret. */
  external: boolean;
}

/** Thrown with the reference that failed; the loader adds file, line and field. */
export class InterpolationError extends Error {}

/**
 * Replace `${env:…}` and `${file:…}` in one string. File paths are relative to `baseDir`
 * (the scenario's folder). A single-line file loses its trailing newline; PEM files keep theirs.
 */
export function interpolate(text: string, baseDir: string, env: NodeJS.ProcessEnv): Interpolated {
  let external = false;
  const value = text.replace(REF, (whole, kind: string, ref: string) => {
    if (kind === 'fixture') return whole;
    external = true;
    if (kind === 'env') {
      const v = env[ref];
      if (v === undefined)
        throw new InterpolationError(`environment variable ${ref} is not set (referenced as \${env:${ref}})`);
      return v;
    }
    const path = resolve(baseDir, ref);
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new InterpolationError(`cannot read file ${path} (${code}) referenced as \${file:${ref}}`);
    }
    const trimmed = content.replace(/\r?\n$/, '');
    return trimmed.includes('\n') ? content : trimmed;
  });
  return { value, external };
}

/** `${fixture:gateway}` → URL, given the running fixtures' named URLs. */
export function resolveFixtureRefs(text: string, urls: Record<string, string>): string {
  return text.replace(/\$\{fixture:([^}]*)\}/g, (_w, name: string) => {
    const url = urls[name];
    if (url === undefined)
      throw new InterpolationError(
        `no running fixture provides "${name}" (known: ${Object.keys(urls).sort().join(', ')})`,
      );
    return url;
  });
}

export function hasFixtureRef(text: string): boolean {
  return text.includes('${fixture:');
}
