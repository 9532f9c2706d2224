import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { closest } from 'fastest-levenshtein';
import { type Document, LineCounter, parseDocument, visit } from 'yaml';
import { fieldPath, ScenarioError, type ScenarioProblem, type SourcePos } from '../model/errors.ts';
import { InterpolationError, interpolate } from './interpolate.ts';
import { locate } from './locate.ts';
import { type ScenarioDoc, ScenarioSchema } from './schema.ts';
import { MIN_SECRET_LENGTH, Secrets } from './secrets.ts';

/** Alias expansions a scenario may use: far more than any real one, far fewer than an alias bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * A scenario file read: YAML parsed, checked against the schema, `${env:}`/`${file:}` resolved and
 * its secrets registered. What the blocks mean together is checked by plan/ (validateScenario).
 */
export interface Scenario {
  doc: ScenarioDoc;
  file: string;
  dir: string;
  /** sha256 of the file's bytes, so reports can tell which version ran. */
  hash: string;
  secrets: Secrets;
  /** Source position of a field (with `key`, of its key), for problems found after reading. */
  pos(path: ReadonlyArray<string | number>, key?: boolean): SourcePos;
  /** `file:line:col: field` of a field, for messages. */
  where(path: ReadonlyArray<string | number>): string;
}

/** Fields under a credential set whose values are secret (with everything from env/file). */
const SECRET_FIELDS = new Set(['headers', 'query', 'basic', 'bearer', 'jwt', 'clientCert']);
/** Not secret even inside those: a certificate is public, JWT options are not credentials. */
const PUBLIC_LEAVES = new Set([
  'clientCert.cert',
  'jwt.alg',
  'jwt.kid',
  'jwt.issuer',
  'jwt.audience',
  'jwt.subject',
  'jwt.expiresIn',
]);

/**
 * Read, parse, validate and interpolate a scenario file. Throws ScenarioError (exit 2) listing
 * every problem with file:line:col and the field path.
 */
export function readScenario(file: string, env: NodeJS.ProcessEnv = process.env): Scenario {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError([
      {
        pos: { file, line: 1, col: 1 },
        field: '',
        message: `cannot read scenario (${(err as NodeJS.ErrnoException).code ?? err})`,
      },
    ]);
  }
  return parseScenario(text, file, env);
}

/** As readScenario, from text already read; `file` is used in messages and to resolve `${file:}`. */
export function parseScenario(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Only the first: later YAML errors are usually echoes of it.
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    const lineText = text.split('\n')[line - 1] ?? '';
    const hint = /[{[].*\$\{/.test(lineText) ? ' (inside { } or [ ], quote values that use ${…}: "${env:NAME}")' : '';
    throw new ScenarioError([
      { pos: { file, line, col }, field: '', message: `YAML syntax: ${e.message.split('\n')[0]}${hint}` },
    ]);
  }
  const at = (p: ReadonlyArray<string | number>, key = false) => locate(doc, lines, file, p, key);
  const raw = toPlainData(doc, lines, file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError([
      {
        pos: { file, line: 1, col: 1 },
        field: '',
        message: 'a scenario is a YAML mapping with name, targets and credentials',
      },
    ]);
  }

  const schemaProblems = explainUnions([...Value.Errors(ScenarioSchema, raw)])
    .slice(0, 20)
    .map((e) => schemaProblem(e, at));
  if (schemaProblems.length > 0) throw new ScenarioError(dedupe(schemaProblems));

  const dir = dirname(resolve(file));
  const secrets = new Secrets();
  const problems: ScenarioProblem[] = [];
  const scenario = interpolateTree(raw, [], dir, env, secrets, problems, at) as ScenarioDoc;
  uniqueNames(scenario, problems, at);
  if (problems.length > 0) throw new ScenarioError(problems);

  return {
    doc: scenario,
    file,
    dir,
    hash: createHash('sha256').update(text).digest('hex'),
    secrets,
    pos: at,
    where: (p) => {
      const pos = at(p);
      return `${pos.file}:${pos.line}:${pos.col}: ${fieldPath(p)}`;
    },
  };
}

type At = (p: ReadonlyArray<string | number>, key?: boolean) => ScenarioProblem['pos'];

/**
 * The document as plain data. An alias without an anchor before it, and more alias expansions
 * than any scenario needs (an alias bomb), are problems at the alias, not internal errors.
 */
function toPlainData(doc: Document, lines: LineCounter, file: string): unknown {
  const aliases: Array<{ name: string; offset: number; resolved: boolean }> = [];
  visit(doc, {
    Alias(_key, node) {
      aliases.push({ name: node.source, offset: node.range?.[0] ?? 0, resolved: node.resolve(doc) !== undefined });
    },
  });
  const problemAt = (offset: number, message: string): ScenarioError => {
    const { line, col } = lines.linePos(offset);
    return new ScenarioError([{ pos: { file, line, col }, field: '', message }]);
  };
  const unresolved = aliases.find((a) => !a.resolved);
  if (unresolved)
    throw problemAt(unresolved.offset, `alias *${unresolved.name} has no anchor &${unresolved.name} before it`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    throw problemAt(
      aliases[0]?.offset ?? 0,
      `aliases expand to too much data (more than ${MAX_ALIAS_COUNT} expansions): ${err.message}`,
    );
  }
  if (isCircular(data))
    throw problemAt(
      aliases[0]?.offset ?? 0,
      'an alias refers to the node that contains it (a scenario is a tree, not a loop)',
    );
  return data;
}

/** Whether plain data (objects and arrays from YAML) contains itself. */
function isCircular(value: unknown, ancestors = new Set<object>()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  for (const v of Object.values(value)) if (isCircular(v, ancestors)) return true;
  ancestors.delete(value);
  return false;
}

/** A value as a problem message shows it: JSON, shortened. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A mapping that fits no branch of a union (`session: false` or a block of settings) is explained by
 * the branch that takes mappings: its own errors, each at its field, not "expected union value".
 */
function explainUnions(errors: ValueError[]): ValueError[] {
  return errors.flatMap((e) => {
    const anyOf = (e.schema as { anyOf?: TSchema[] }).anyOf;
    const isMapping = typeof e.value === 'object' && e.value !== null && !Array.isArray(e.value);
    const branch = isMapping ? anyOf?.find((b) => (b as { type?: string }).type === 'object') : undefined;
    if (!branch) return [e];
    const inner = [...Value.Errors(branch, e.value)].map((x) => ({ ...x, path: e.path + x.path }));
    return inner.length > 0 ? explainUnions(inner) : [e];
  });
}

function schemaProblem(e: ValueError, at: At): ScenarioProblem {
  const path = pointerToPath(e.path);
  const field = fieldPath(path);
  const schema = e.schema as {
    properties?: Record<string, unknown>;
    anyOf?: Array<{ const?: unknown; type?: string }>;
    description?: string;
    pattern?: string;
  };
  if (e.message === 'Unexpected property') {
    const unknown = String(path[path.length - 1]);
    const allowed = Object.keys(schema.properties ?? {});
    const guess = allowed.length > 0 ? closest(unknown, allowed) : undefined;
    const hint = guess && distanceOk(unknown, guess) ? ` — did you mean "${guess}"?` : '';
    return { pos: at(path, true), field, message: `unknown key "${unknown}"${hint} (allowed: ${allowed.join(', ')})` };
  }
  if (e.message.startsWith('Expected required property')) {
    return { pos: at(path.slice(0, -1)), field, message: `missing required field "${String(path[path.length - 1])}"` };
  }
  if (schema.anyOf?.every((s) => s.const !== undefined)) {
    const options = schema.anyOf.map((s) => JSON.stringify(s.const)).join(', ');
    return { pos: at(path), field, message: `got ${shown(e.value)}, expected one of ${options}` };
  }
  if (schema.pattern) {
    return {
      pos: at(path),
      field,
      message: `got ${shown(e.value)}, which does not match what is expected: ${schema.description ?? schema.pattern}`,
    };
  }
  const got =
    e.value === undefined
      ? 'nothing'
      : Array.isArray(e.value)
        ? 'a list'
        : typeof e.value === 'object' && e.value !== null
          ? 'a mapping'
          : shown(e.value);
  return {
    pos: at(path),
    field,
    message: `${e.message.toLowerCase()}, got ${got}${schema.description ? ` (${schema.description})` : ''}`,
  };
}

function distanceOk(a: string, b: string): boolean {
  // Suggest only plausible typos: shared first letter or a small edit distance relative to length.
  return a[0]?.toLowerCase() === b[0]?.toLowerCase() || Math.abs(a.length - b.length) <= 2;
}

function pointerToPath(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

function dedupe(problems: ScenarioProblem[]): ScenarioProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.field}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function interpolateTree(
  value: unknown,
  path: Array<string | number>,
  dir: string,
  env: NodeJS.ProcessEnv,
  secrets: Secrets,
  problems: ScenarioProblem[],
  at: At,
): unknown {
  if (typeof value === 'string') {
    try {
      const { value: out, external } = interpolate(value, dir, env);
      if (external || isSecretField(path)) {
        if (out.length < MIN_SECRET_LENGTH && out.length > 0) {
          problems.push({
            pos: at(path),
            field: fieldPath(path),
            message: `a secret must be at least ${MIN_SECRET_LENGTH} characters long so that outputs can mask it`,
          });
        }
        secrets.add(out);
      }
      return out;
    } catch (err) {
      if (!(err instanceof InterpolationError)) throw err;
      problems.push({ pos: at(path), field: fieldPath(path), message: err.message });
      return value;
    }
  }
  if (Array.isArray(value))
    return value.map((v, i) => interpolateTree(v, [...path, i], dir, env, secrets, problems, at));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = interpolateTree(v, [...path, k], dir, env, secrets, problems, at);
    return out;
  }
  return value;
}

function isSecretField(path: ReadonlyArray<string | number>): boolean {
  if (path[0] !== 'credentials' || typeof path[2] !== 'string' || !SECRET_FIELDS.has(path[2])) return false;
  return !PUBLIC_LEAVES.has(path.slice(2).join('.'));
}

/** Target and credential set names must be unique: reports and blocks refer to them by name. */
function uniqueNames(s: ScenarioDoc, problems: ScenarioProblem[], at: At): void {
  const unique = (list: Array<{ name: string }>, key: string) => {
    const seen = new Map<string, number>();
    list.forEach((item, i) => {
      const first = seen.get(item.name);
      if (first !== undefined)
        problems.push({
          pos: at([key, i, 'name']),
          field: fieldPath([key, i, 'name']),
          message: `duplicate name "${item.name}" (first used at ${key}[${first}])`,
        });
      else seen.set(item.name, i);
    });
  };
  unique(s.targets, 'targets');
  unique(s.credentials, 'credentials');
}
