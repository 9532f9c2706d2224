/** Where in a scenario file a problem is. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** One problem in a scenario: where, which field, what was expected. */
export interface ScenarioProblem {
  pos: SourcePos;
  /** Field path as a user reads it: `credentials[2].headers.X-IBM-Client-Id`. */
  field: string;
  message: string;
}

/**
 * Invalid input: the CLI prints it and exits 2 without creating any output.
 * The message lists every problem as `file:line:col: field: message`.
 */
export class ScenarioError extends Error {
  readonly problems: ScenarioProblem[];

  constructor(problems: ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

export function formatProblem(p: ScenarioProblem): string {
  const where = `${p.pos.file}:${p.pos.line}:${p.pos.col}`;
  return p.field ? `${where}: ${p.field}: ${p.message}` : `${where}: ${p.message}`;
}

/** `['credentials', 2, 'headers', 'X-Id']` as `credentials[2].headers.X-Id`. */
export function fieldPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}
