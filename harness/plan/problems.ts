import { fieldPath, ScenarioError, type ScenarioProblem } from '../model/errors.ts';
import type { Scenario } from '../scenario/read.ts';

/**
 * Problems found while planning a scenario, each at its field's position. Every block's planning
 * adds to one list, so a scenario's problems are reported together in one ScenarioError.
 */
export class Problems {
  readonly list: ScenarioProblem[] = [];

  constructor(readonly scenario: Scenario) {}

  /** A problem at `path` (a field path under the scenario's root); `key` points at the key itself. */
  add(path: ReadonlyArray<string | number>, message: string, key = false): void {
    const field = fieldPath(path);
    // Two plans may read one block (the load block, for `run` and for the capacity probe): say it once.
    if (this.list.some((p) => p.field === field && p.message === message)) return;
    this.list.push({ pos: this.scenario.pos(path, key), field, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Throw every problem at once when there is any. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new ScenarioError(this.list);
  }
}
