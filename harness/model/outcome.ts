/**
 * The outcome model (README "Outcome model"): every upgrade attempt ends in exactly one of these.
 * `http_<code>` carries the status the client saw when it was not a valid 101.
 */
export type HttpOutcome = `http_${number}`;

export type Outcome =
  | 'upgraded'
  | 'protocol_error'
  | HttpOutcome
  | 'refused'
  | 'reset'
  | 'connect_timeout'
  | 'handshake_timeout'
  | 'closed_before_response'
  | 'tls_error'
  | 'dns_error'
  | 'port_exhausted'
  | 'fd_exhausted'
  /** Ended without an HTTP answer, the cause not recorded: k6's ws_sessions without a status (`wsgate import k6`). */
  | 'network_error';

/** Outcomes that are not an HTTP answer, in the order reports list them. */
export const NETWORK_OUTCOMES = [
  'protocol_error',
  'refused',
  'reset',
  'connect_timeout',
  'handshake_timeout',
  'closed_before_response',
  'tls_error',
  'dns_error',
  'port_exhausted',
  'fd_exhausted',
  'network_error',
] as const satisfies readonly Outcome[];

/** What a held, upgraded connection may later turn into. */
export type HeldOutcome = 'dropped' | 'echo_failed';

export function httpOutcome(status: number): HttpOutcome {
  return `http_${status}`;
}

/** The HTTP status in an `http_<code>` outcome, or undefined for every other outcome. */
export function statusOf(outcome: Outcome): number | undefined {
  if (outcome.startsWith('http_')) return Number(outcome.slice(5));
  return undefined;
}

export function isOutcome(value: string): value is Outcome {
  return (
    value === 'upgraded' ||
    (NETWORK_OUTCOMES as readonly string[]).includes(value) ||
    /^http_[1-5][0-9][0-9]$/.test(value)
  );
}
