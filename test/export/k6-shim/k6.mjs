import { recorded } from './state.mjs';

/** k6's check(): every named predicate, recorded, and whether all held. */
export function check(value, sets, tags) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const passed = Boolean(fn(value));
    recorded.checks.push({ name, passed, tags });
    all &&= passed;
  }
  return all;
}
