import type { Outcome } from './outcome.ts';

/**
 * `--trace N`: what went over the wire for the first N attempts of each target x credential set,
 * the way `curl -v` shows it. Secrets are masked when the run's outputs are written.
 */
export interface WireTrace {
  phase: 'conformance' | 'load';
  target: string;
  credential: string;
  /** 1 for the first attempt of its target x credential set in this run, 2 for the next, … */
  attempt: number;
  /** Load: when the attempt was scheduled, ms from the load's start. */
  scheduledMs?: number;
  outcome: Outcome;
  /** When each step happened, ms from the attempt's origin (load: its scheduled start). */
  steps: TraceStep[];
  /** The request head exactly as sent (CRLFs as line ends). */
  request?: string;
  /** The response head exactly as received. */
  response?: string;
  /** After an answer other than 101: the start of its body (at most 512 bytes). */
  body?: string;
  /** Frames seen after the head, both ways, in order (at most TRACE_FRAMES). */
  frames: TraceFrame[];
  /** Frames past the cap, not listed. */
  framesNotShown?: number;
}

export type TraceStepName =
  | 'scheduled'
  | 'started'
  | 'connected'
  | 'tls_done'
  | 'request_sent'
  | 'first_byte'
  | 'head_complete'
  | 'ended';

export interface TraceStep {
  step: TraceStepName;
  atMs: number;
}

export interface TraceFrame {
  /** sent: client to gateway; received: gateway to client. */
  dir: 'sent' | 'received';
  atMs: number;
  /** text, binary, continuation, close, ping, pong, or the number of a reserved opcode. */
  opcode: string;
  fin: boolean;
  /** RSV1-3 as a number (RSV1 = 4): set by compression. */
  rsv: number;
  masked: boolean;
  length: number;
  /** The payload's start as text (unmasked; control characters as dots), or a close frame's code and reason. */
  preview: string;
}

/** Frames listed per traced attempt; a held connection exchanges a message every few seconds for hours. */
export const TRACE_FRAMES = 16;
