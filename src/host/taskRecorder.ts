import type { AgentId } from '../core/base/ids';
import type { PeerLoad } from '../core/tasks/taskNode';
import type { JobStatus, TaskEvent } from '../core/tasks/taskTypes';
import type { FlagRecord } from '../core/tasks/verdict';

/** Decisions kept for the dashboard (steals, awards, reassignments, errors), newest last. */
export const TASK_DECISIONS_KEPT = 100;
/** Load samples kept: one a second for five minutes. */
export const TASK_SAMPLES_KEPT = 300;
const SAMPLE_EVERY_MS = 1000;

export type TaskDecision = Extract<
  TaskEvent,
  { type: 'steal' | 'stolen-from' | 'rebalance' | 'award' | 'task-reassigned' | 'task-error' }
> & { atMs: number };

/** One second of this agent's load: the dashboard's streaming charts. */
export interface TaskLoadSample {
  atMs: number;
  /** Workers' busy share, 0-1. */
  utilisation: number;
  queued: number;
  running: number;
  /** Runs finished per second over the sample. */
  ratePerSecond: number;
}

export interface TasksView {
  workers: number;
  slowdown: number;
  queued: number;
  running: number;
  meanTaskMs: number;
  samples: TaskLoadSample[];
  peers: ({ agent: AgentId } & PeerLoad)[];
  decisions: TaskDecision[];
  /** Jobs submitted here, newest last, each task's state and owner. */
  jobs: JobStatus[];
  /** Agents critical jobs caught reporting results other than the agreed ones, oldest first. */
  flags: readonly FlagRecord[];
  /** Hash jobs' results this agent keeps for their keys' successors. */
  keptResults: number;
}

/**
 * What the Tasks tab shows of one agent: its load as a time series (a sample a second) and the
 * recent decisions with the numbers behind them, bounded.
 */
export class TaskRecorder {
  private readonly decisions: TaskDecision[] = [];
  private readonly samples: TaskLoadSample[] = [];
  private lastSampleMs = -Infinity;
  private runsAtLastSample = 0;
  private utilisationSum = 0;
  private utilisationCount = 0;

  onEvent(event: TaskEvent, atMs: number): void {
    if (
      event.type === 'steal' ||
      event.type === 'stolen-from' ||
      event.type === 'rebalance' ||
      event.type === 'award' ||
      event.type === 'task-reassigned' ||
      event.type === 'task-error'
    ) {
      this.decisions.push({ ...event, atMs });
      if (this.decisions.length > TASK_DECISIONS_KEPT) this.decisions.shift();
    }
  }

  /** Called on every poll; keeps one sample a second (the polls' mean utilisation). */
  sample(
    atMs: number,
    utilisation: number,
    load: { queued: number; running: number },
    completedRuns: number,
  ): void {
    this.utilisationSum += utilisation;
    this.utilisationCount++;
    if (atMs - this.lastSampleMs < SAMPLE_EVERY_MS) return;
    const elapsedMs = Number.isFinite(this.lastSampleMs)
      ? atMs - this.lastSampleMs
      : SAMPLE_EVERY_MS;
    this.samples.push({
      atMs,
      utilisation: this.utilisationSum / this.utilisationCount,
      queued: load.queued,
      running: load.running,
      ratePerSecond: ((completedRuns - this.runsAtLastSample) * 1000) / Math.max(1, elapsedMs),
    });
    if (this.samples.length > TASK_SAMPLES_KEPT) this.samples.shift();
    this.lastSampleMs = atMs;
    this.runsAtLastSample = completedRuns;
    this.utilisationSum = 0;
    this.utilisationCount = 0;
  }

  view(now: {
    load: { queued: number; running: number; workers: number; meanTaskMs: number };
    peers: ({ agent: AgentId } & PeerLoad)[];
    slowdown: number;
    jobs: JobStatus[];
    flags: readonly FlagRecord[];
    keptResults: number;
  }): TasksView {
    return {
      workers: now.load.workers,
      slowdown: now.slowdown,
      queued: now.load.queued,
      running: now.load.running,
      meanTaskMs: now.load.meanTaskMs,
      samples: [...this.samples],
      peers: now.peers,
      decisions: [...this.decisions],
      jobs: now.jobs,
      flags: now.flags,
      keptResults: now.keptResults,
    };
  }
}
