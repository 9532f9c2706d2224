/**
 * The two ways a run can fail before or outside its checks, each built in one place with a
 * stable code. Only the CLI turns them into exit codes (ScenarioError: 2, RunError: 3).
 */

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
 * Invalid input: every problem of a scenario at once, as `file:line:col: field: message` lines.
 * Nothing has been contacted or written when it is thrown.
 */
export class ScenarioError extends Error {
  readonly code = 'invalid_scenario';
  readonly problems: ScenarioProblem[];

  constructor(problems: ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

/** Why a run could not be carried out before any phase ran. */
export type RunErrorCode = 'fixtures_failed';

/** The run could not be carried out (e.g. the scenario's fixtures did not start). */
export class RunError extends Error {
  constructor(
    readonly code: RunErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RunError';
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
