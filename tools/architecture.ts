import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The house rules a reader relies on (ARCHITECTURE.md), checked on the source: imports only go
 * down the layers, never between folders of one layer, never in a cycle; the shipped harness
 * imports no test, bench or fixture code (but for starting fixtures on demand); no line is longer
 * than 120 characters outside generated files. Run by `npm run lint` and by a test.
 */

/** harness/ folders by layer, bottom first: a folder may import from its own folder and lower layers. */
export const LAYERS: ReadonlyArray<readonly string[]> = [
  ['model'],
  ['stats'],
  ['outcome', 'wire', 'metrics', 'scenario'],
  ['plan'],
  ['client'],
  ['conformance', 'session', 'load', 'overhead', 'comparison', 'security'],
  ['lifecycle'],
  ['run'],
  ['results'],
  ['history', 'analysis'],
  ['report', 'export'],
  ['cli'],
];

/** The harness files allowed to load fixtures, on demand: for a scenario that asks, and `wsgate fixtures`. */
const FIXTURE_LOADERS = new Set(['harness/run/fixtures.ts', 'harness/cli/commands/fixtures.ts']);
export const MAX_LINE = 120;
/** Written by tools, not by hand: exempt from the line length. */
const GENERATED = new Set(['wsgate.schema.json', 'package-lock.json']);
const CHECKED_EXTENSIONS = /\.(ts|mts|mjs|js|c|sh|ya?ml|json)$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'reports', 'test-output', '.build']);

export interface Violation {
  file: string;
  line: number;
  rule: 'layer' | 'sibling' | 'cycle' | 'boundary' | 'line-length';
  message: string;
}

function walk(root: string, dir: string, out: string[]): string[] {
  for (const name of readdirSync(join(root, dir))) {
    if (SKIPPED_DIRS.has(name) || name.startsWith('.')) continue;
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(join(root, rel)).isDirectory()) walk(root, rel, out);
    else out.push(rel);
  }
  return out;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Relative imports of a file: target path from the repo root, and the line of the import. */
function importsOf(root: string, file: string): Array<{ to: string; line: number }> {
  const text = readFileSync(join(root, file), 'utf8');
  const out: Array<{ to: string; line: number }> = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    const line = text.slice(0, m.index + (m[0].startsWith('\n') ? 1 : 0)).split('\n').length;
    out.push({ to: normalize(join(dirname(file), spec)), line });
  }
  return out;
}

const folderOf = (file: string) => file.split('/')[1]!;
const rankOf = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));

/** Every violation in the repository at `root`. */
export function checkArchitecture(root: string): Violation[] {
  const files = walk(root, '', []);
  const violations: Violation[] = [];
  const graph = new Map<string, Array<{ to: string; line: number }>>();
  for (const file of files.filter((f) => /^(harness|fixtures)\/.*\.ts$/.test(f))) {
    const imports = importsOf(root, file);
    if (file.startsWith('harness/'))
      graph.set(
        file,
        imports.filter((i) => i.to.startsWith('harness/')),
      );
    for (const { to, line } of imports) {
      const from = folderOf(file);
      if (file.startsWith('fixtures/')) {
        if (to.startsWith('harness/'))
          violations.push({
            file,
            line,
            rule: 'boundary',
            message: `fixtures import nothing from the harness (${to})`,
          });
        continue;
      }
      if (!to.startsWith('harness/')) {
        if (!(FIXTURE_LOADERS.has(file) && to.startsWith('fixtures/')) && !to.startsWith('package.json')) {
          violations.push({
            file,
            line,
            rule: 'boundary',
            message: `the harness imports only itself (and package.json); ${to} is outside`,
          });
        }
        continue;
      }
      const target = folderOf(to);
      if (rankOf(from) < 0)
        violations.push({
          file,
          line,
          rule: 'layer',
          message: `harness/${from}/ is in no layer of tools/architecture.ts`,
        });
      else if (target !== from && rankOf(target) > rankOf(from)) {
        violations.push({
          file,
          line,
          rule: 'layer',
          message:
            `${from}/ (layer ${rankOf(from)}) imports ${to} from ${target}/ (layer ` +
            `${rankOf(target)}), up the flow`,
        });
      } else if (target !== from && rankOf(target) === rankOf(from)) {
        violations.push({
          file,
          line,
          rule: 'sibling',
          message: `${from}/ imports ${to} from ${target}/, a folder of the same layer`,
        });
      }
    }
  }
  for (const cycle of cycles(graph)) {
    violations.push({
      file: cycle[0]!,
      line: 1,
      rule: 'cycle',
      message: `import cycle: ${[...cycle, cycle[0]].join(' -> ')}`,
    });
  }
  for (const file of files.filter((f) => CHECKED_EXTENSIONS.test(f) && !GENERATED.has(f))) {
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text.length > MAX_LINE)
          violations.push({
            file,
            line: i + 1,
            rule: 'line-length',
            message: `${text.length} characters (at most ${MAX_LINE})`,
          });
      });
  }
  return violations;
}

/** Strongly connected components with more than one file (Tarjan), each as a list of files. */
function cycles(graph: Map<string, Array<{ to: string }>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const { to: w } of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.reverse());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** `file:line: rule: message`, one per violation. */
export function formatViolations(root: string, violations: Violation[]): string {
  return violations.map((v) => `${relative(root, join(root, v.file))}:${v.line}: ${v.rule}: ${v.message}`).join('\n');
}
