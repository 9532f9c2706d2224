import { bareCredential as bare, targetFromUrl } from '../../harness/plan/direct.ts';
import type { PlannedCredential, PlannedTarget } from '../../harness/plan/plan.ts';

/** A plain ws:// target on loopback with short timeouts, for probe-level tests. */
export function loopbackTarget(port: number, patch: Partial<PlannedTarget> = {}): PlannedTarget {
  return { ...targetFromUrl('loopback', `ws://127.0.0.1:${port}/echo`, 1000), ...patch };
}

/** A credential set with no credentials, expecting `expect`. */
export function bareCredential(patch: Partial<PlannedCredential> = {}): PlannedCredential {
  return { ...bare(), ...patch };
}
