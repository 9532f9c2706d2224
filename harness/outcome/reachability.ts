import type { Outcome } from '../model/outcome.ts';

/**
 * When a target counts as unreachable (the run could not be carried out, exit 3) instead of as a
 * gateway that answered wrongly (exit 1). One rule, with a named policy where phases truly differ.
 */

/** Nobody answered at the address: no TCP connection came up. */
const NO_CONNECTION: ReadonlySet<Outcome> = new Set(['refused', 'connect_timeout', 'dns_error']);

/**
 * - `tls-is-unreachable` (conformance, overhead): a TLS failure on every attempt means wsgate
 *   could not talk to the target at all;
 * - `tls-is-an-answer` (security probes): refusing a TLS handshake without a valid client
 *   certificate is one way a gateway says no, so only a missing TCP connection counts.
 */
export type ReachabilityPolicy = 'tls-is-unreachable' | 'tls-is-an-answer';

/** Whether this one outcome says the target was not reached. */
export function saysUnreachable(outcome: Outcome, policy: ReachabilityPolicy): boolean {
  return NO_CONNECTION.has(outcome) || (policy === 'tls-is-unreachable' && outcome === 'tls_error');
}

/** A target is unreachable when it had attempts and every one of them says so. */
export function targetUnreachable(outcomes: Iterable<Outcome>, policy: ReachabilityPolicy): boolean {
  let any = false;
  for (const o of outcomes) {
    if (!saysUnreachable(o, policy)) return false;
    any = true;
  }
  return any;
}

/**
 * Under load a target is given up on after a run of failures in a row with no answer between
 * them. Every network failure of the target counts here; a protocol error is an answer, and the
 * client running out of its own ports or descriptors says nothing of the target (see
 * isGeneratorLimit).
 */
export const DEAD_AFTER_FAILURES_IN_A_ROW = 200;

/** The load processes ran out of something of their own: ports to connect from, descriptors. */
const GENERATOR_LIMITS: ReadonlySet<Outcome> = new Set(['fd_exhausted', 'port_exhausted']);

/** Whether the attempt failed on the client's side, before the target had any part in it. */
export function isGeneratorLimit(outcome: Outcome): boolean {
  return GENERATOR_LIMITS.has(outcome);
}

/** Whether a load attempt's outcome is a network failure that counts towards DEAD_AFTER_FAILURES_IN_A_ROW. */
export function isNetworkFailure(outcome: Outcome): boolean {
  return outcome !== 'upgraded' && outcome !== 'protocol_error' && !outcome.startsWith('http_');
}
