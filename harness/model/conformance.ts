import type { AuthState, Verdict } from './auth.ts';
import type { Outcome } from './outcome.ts';
import type { WireTrace } from './trace.ts';

/** Times of one attempt with evidence, in ms from its start. */
export interface Timings {
  /** TCP connect, from the start of the attempt. */
  connectMs?: number;
  /** TLS handshake, after connect (wss only). */
  tlsMs?: number;
  /** From the start to the response status line. */
  statusMs?: number;
  /** From the start to the complete 101 head (upgraded only). */
  upgradeMs?: number;
  /** First echo round trip after the upgrade. */
  echoMs?: number;
}

/** Everything one upgrade attempt showed: what a conformance check judges and a report prints. */
export interface Evidence {
  attemptId: string;
  outcome: Outcome;
  /** Why the outcome is what it is, when the outcome alone does not say (protocol errors, echo). */
  problem?: string;
  statusLine?: string;
  headers: Record<string, string>;
  bodySnippet?: string;
  timings: Timings;
  /** Echo after an upgrade: ok when the message came back intact. */
  echo?: { ok: boolean; problem?: string };
  subprotocol?: string;
  /** `--trace`: the request and response heads and the frames, as they went over the wire. */
  wire?: WireTrace;
}

export type CheckStatus = 'passed' | 'failed' | 'not_run';

/** What the backend saw of one attempt. */
export interface BackendView {
  /** Whether a record was available to look at. */
  checked: boolean;
  /** Whether the attempt reached the backend; null when unchecked. */
  reached: boolean | null;
  /** Headers the backend received for this attempt (secrets masked at output). */
  forwardedHeaders?: Record<string, string>;
  path?: string;
}

/** One target x credential set conformance check. */
export interface CheckResult {
  target: string;
  credential: string;
  /** The intended auth verdict. */
  verdict: Verdict;
  /** What the client must see through this target after its statusMap. */
  expected: Outcome[];
  /** What the client saw; undefined when not run. */
  seen?: Outcome;
  authState: AuthState;
  status: CheckStatus;
  /** Why it failed or did not run, one sentence each. */
  reasons: string[];
  evidence?: Evidence;
  backend: BackendView;
}

/** `summary.conformance`. */
export interface ConformanceResult {
  checks: CheckResult[];
  passed: number;
  failed: number;
  notRun: number;
  /** Checks whose outcome was not among the expected ones. */
  unexpectedOutcomes: number;
  /** Targets every attempt to which failed at the network level: the run could not be carried out. */
  unreachableTargets: string[];
}
