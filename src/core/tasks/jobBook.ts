import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { TaskRefusal } from './taskTable';
import type { JobSpec, JobStatus, TaskStatus } from './taskTypes';

/** One task as its submitter tracks it. */
export interface TrackedTask {
  state: TaskStatus['state'];
  /** The owner and epoch as this submitter last learned them (the ledger may be ahead). */
  owner: AgentId | null;
  epoch: number;
  attempts: number;
  lastError: string | null;
  /** When it was last offered to its owner. */
  offeredAtMs: Millis;
  /** The accepted result (JSON text), once done. */
  result: string | null;
  /** A result waiting for the ledger to accept it. */
  pending: {
    owner: AgentId;
    epoch: number;
    result: string;
    digest: string;
    ms: number;
    /** Part of an accept operation in flight. */
    sent: boolean;
  } | null;
  /** Agents it failed on: others are preferred for its next try. */
  failedOn: AgentId[];
  /** Agents that do not know its kind: never chosen for it. */
  cannotRunOn: AgentId[];
  /** A move of it is proposed or up for auction: not moved again until that settles. */
  moving: boolean;
  /** Where its last move was sent (copies of one task keep off each other's agents). */
  target: AgentId | null;
}

/**
 * A job this agent submitted: its tasks' states, the results accepted so far, and what waits
 * for the ledger. A job is complete exactly when every task has one accepted result.
 */
export class JobBook {
  readonly tasks: TrackedTask[];
  state: JobStatus['state'] = 'running';
  opened = false;
  finishedAtMs: Millis | null = null;
  /** Accept operations in flight (a few at once: they commit in one Raft round when they can). */
  accepting = 0;

  constructor(
    readonly spec: JobSpec,
    readonly submittedAtMs: Millis,
  ) {
    this.tasks = spec.inputs.map(() => ({
      state: 'opening',
      owner: null,
      epoch: 0,
      attempts: 0,
      lastError: null,
      offeredAtMs: 0,
      result: null,
      pending: null,
      failedOn: [],
      cannotRunOn: [],
      moving: false,
      target: null,
    }));
    const groups = spec.copies?.groups;
    if (groups !== undefined)
      for (const [task, group] of groups.entries()) {
        const list = this.copiesByGroup.get(group) ?? [];
        list.push(task);
        this.copiesByGroup.set(group, list);
      }
  }

  private readonly copiesByGroup = new Map<number, number[]>();

  /**
   * The agents a copy of a critical job's task must not go to: those its sibling copies run
   * or ran on (or are being moved to), and those the job names; empty for other jobs.
   */
  excludedFor(task: number): Set<AgentId> {
    const copies = this.spec.copies;
    const excluded = new Set<AgentId>(copies?.avoid[task] ?? []);
    if (copies === undefined) return excluded;
    for (const sibling of this.copiesByGroup.get(copies.groups[task] as number) ?? []) {
      if (sibling === task) continue;
      const t = this.tasks[sibling] as TrackedTask;
      if (t.owner !== null) excluded.add(t.owner);
      if (t.target !== null) excluded.add(t.target);
      if (t.pending !== null) excluded.add(t.pending.owner);
    }
    return excluded;
  }

  get jobId(): string {
    return this.spec.jobId;
  }

  get doneCount(): number {
    let done = 0;
    for (const task of this.tasks) if (task.state === 'done') done++;
    return done;
  }

  get complete(): boolean {
    return this.tasks.every((task) => task.state === 'done');
  }

  /** The ledger moved `task` to `owner` at `epoch`. */
  assigned(task: number, owner: AgentId, epoch: number, nowMs: Millis): void {
    const t = this.tasks[task] as TrackedTask;
    // An ended job's tasks stay as it left them (a late task-moved changes nothing).
    if (this.state !== 'running' || t.state === 'done' || epoch < t.epoch) return;
    t.owner = owner;
    t.epoch = epoch;
    if (t.pending === null) t.state = 'assigned';
    t.offeredAtMs = nowMs;
  }

  /** What the ledger said of a task it would not move or accept: that is where it stands. */
  learned(refusal: TaskRefusal): void {
    const t = this.tasks[refusal.task] as TrackedTask;
    if (t.state === 'done' || refusal.epoch < t.epoch) return;
    t.owner = refusal.owner;
    t.epoch = refusal.epoch;
  }

  accepted(task: number, result: string): void {
    const t = this.tasks[task] as TrackedTask;
    t.state = 'done';
    t.result = result;
    t.pending = null;
  }

  /** Tasks assigned to `owner` (not done, no result waiting). */
  ownedBy(owner: AgentId): number[] {
    const out: number[] = [];
    for (const [i, t] of this.tasks.entries())
      if (t.state === 'assigned' && t.owner === owner) out.push(i);
    return out;
  }

  /** A job's status once it ended: it no longer changes, so it is built once. */
  private finalStatus: JobStatus | null = null;

  status(): JobStatus {
    if (this.finalStatus !== null) return this.finalStatus;
    const status: JobStatus = {
      jobId: this.spec.jobId,
      kind: this.spec.kind,
      strategy: this.spec.strategy,
      state: this.state,
      tasks: this.tasks.map((t, task) => ({
        task,
        state: t.state,
        owner: t.owner,
        epoch: t.epoch,
        attempts: t.attempts,
        lastError: t.lastError,
      })),
      done: this.doneCount,
      submittedAtMs: this.submittedAtMs,
      finishedAtMs: this.finishedAtMs,
    };
    // Snapshots ask four times a second for every job kept; an ended one is built once, frozen
    // so that no caller can change what the next one is handed.
    if (this.state !== 'running') {
      for (const task of status.tasks) Object.freeze(task);
      Object.freeze(status.tasks);
      this.finalStatus = Object.freeze(status);
    }
    return status;
  }

  invariants(): void {
    for (const [i, t] of this.tasks.entries()) {
      if (t.state === 'done' && t.result === null)
        throw new Error(`${this.jobId}/${i} done, no result`);
      if (this.state === 'running' && (t.state === 'accepting') !== (t.pending !== null))
        throw new Error(
          `${this.jobId}/${i} ${t.state} with a result ${t.pending === null ? 'missing' : 'waiting'}`,
        );
      if (t.state === 'assigned' && t.owner === null)
        throw new Error(`${this.jobId}/${i} assigned to nobody`);
    }
    if (this.accepting < 0) throw new Error(`${this.jobId}: ${this.accepting} accepts in flight`);
    if (this.state === 'done' && !this.complete)
      throw new Error(`${this.jobId} done, not complete`);
  }
}
