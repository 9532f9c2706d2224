import type { LoadResult, LoadSecond } from '../model/load.ts';
import type { Share } from '../plan/arrival-schedule.ts';
import type { LoadPlan } from '../plan/load.ts';

/** What the parent (workers.ts) sends a load worker (worker-main.ts) over IPC. */
export type ParentMessage =
  | { type: 'start'; plan: LoadPlan; share: Share; startAtEpochMs: number }
  | { type: 'stop'; reason: string };

/** What a load worker sends back: ready, each second (with that second's 101 histogram), its result. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'second'; second: LoadSecond; histogram?: string }
  | { type: 'result'; result: LoadResult }
  | { type: 'failed'; message: string };
