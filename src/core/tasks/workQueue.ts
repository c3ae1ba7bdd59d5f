import type { AgentId } from '../base/ids';
import type { StolenTask, TaskMessage } from '../wire/taskMessages';
import { WorkDeque } from './stealing';

/** A task this agent holds to run (its owner side). */
export interface WorkItem extends StolenTask {
  state: 'queued' | 'running' | 'finished' | 'given';
  /**
   * Whether the ledger has this agent as the owner at `epoch`. A stolen task runs at once, but
   * its result waits for the move to commit: sent before, it could reach the ledger first and
   * be refused.
   */
  confirmed: boolean;
  runId: number | null;
  /** The result message once finished. */
  result: Extract<TaskMessage, { type: 'task-result' }> | null;
}

export const workKey = (submitter: AgentId, jobId: string, task: number): string =>
  `${submitter}|${jobId}|${task}`;

/**
 * The tasks an agent runs: a work-stealing deque of queued ones, the running ones, and those
 * finished or given away lately (kept so a repeated offer is answered, not run twice).
 */
export class WorkQueue {
  readonly deque: WorkDeque<WorkItem>;
  private readonly items = new Map<string, WorkItem>();
  private readonly running = new Map<number, WorkItem>();
  /** Keys of finished and given items, oldest first, for eviction. */
  private readonly settled: string[] = [];

  constructor(
    capacity: number,
    private readonly keptSettled: number,
  ) {
    this.deque = new WorkDeque<WorkItem>(capacity);
  }

  get queued(): number {
    return this.deque.length;
  }

  /** Queued items a thief could take (pinned ones stay). */
  get stealable(): number {
    return this.deque.length - this.deque.count((item) => item.pinned === true);
  }

  get runningCount(): number {
    return this.running.size;
  }

  get(submitter: AgentId, jobId: string, task: number): WorkItem | undefined {
    return this.items.get(workKey(submitter, jobId, task));
  }

  /**
   * Takes a task offered (or stolen) at `epoch`. Returns what to do: `queued` (new, or to run
   * again), `resend` (finished: its result went missing), `held` (queued or running already)
   * or `full`. An offer is never ignored: the submitter offers again only while it has no
   * result, so what this agent holds of the task is sent or run again, under the newest epoch
   * it has heard of; the ledger refuses whatever turns out stale.
   */
  take(
    task: StolenTask,
    confirmed: boolean,
  ): { kind: 'queued' | 'held' | 'full' } | { kind: 'resend'; item: WorkItem } {
    const key = workKey(task.submitter, task.jobId, task.task);
    const known = this.items.get(key);
    if (known === undefined) return this.queue(task, confirmed, undefined);
    const newer = task.epoch > known.epoch;
    switch (known.state) {
      case 'queued':
      case 'running':
        if (newer) {
          known.epoch = task.epoch;
          known.confirmed = confirmed;
        }
        return { kind: 'held' };
      case 'finished':
        // A failed run is not the answer for a newer epoch: that is a retry, run it again.
        if (known.result?.ok === false && newer) return this.queue(task, confirmed, known);
        if (newer) {
          known.epoch = task.epoch;
          if (known.result !== null) known.result = { ...known.result, epoch: task.epoch };
        }
        known.confirmed ||= confirmed;
        return { kind: 'resend', item: known };
      case 'given':
        // Given away, yet offered again: the thief's move may never have landed (it was
        // refused, or the thief died). Run it again; if the move did land, the ledger refuses
        // this result.
        return this.queue({ ...task, epoch: Math.max(task.epoch, known.epoch) }, confirmed, known);
    }
  }

  private queue(
    task: StolenTask,
    confirmed: boolean,
    known: WorkItem | undefined,
  ): { kind: 'queued' | 'full' } {
    if (this.deque.length >= this.deque.capacity) return { kind: 'full' };
    if (known !== undefined) this.unsettle(workKey(task.submitter, task.jobId, task.task));
    this.deque.push(this.fresh(task, confirmed, known));
    return { kind: 'queued' };
  }

  /** The next task to start, marked running under `runId`. */
  start(runId: number): WorkItem | undefined {
    const item = this.deque.pop();
    if (item === undefined) return undefined;
    item.state = 'running';
    item.runId = runId;
    this.running.set(runId, item);
    return item;
  }

  /** A run ended: the item is finished with `result`. */
  finish(runId: number, result: WorkItem['result']): WorkItem | undefined {
    const item = this.running.get(runId);
    if (item === undefined) return undefined;
    this.running.delete(runId);
    item.state = 'finished';
    item.runId = null;
    item.result = result;
    this.settle(workKey(item.submitter, item.jobId, item.task));
    return item;
  }

  /**
   * The victim's side of a steal: up to `count` of its oldest queued tasks, marked given away,
   * their inputs `maxBytes` in all at most (one message carries them).
   */
  giveUp(count: number, maxBytes: number): WorkItem[] {
    const given: WorkItem[] = [];
    // Pinned items stay: they are put back where they were once the give is cut.
    const kept: WorkItem[] = [];
    let bytes = 0;
    while (given.length < count) {
      const [next] = this.deque.giveUp(1);
      if (next === undefined) break;
      if (next.pinned === true) {
        kept.push(next);
        continue;
      }
      bytes += next.input.length + 200;
      if (given.length > 0 && bytes > maxBytes) {
        this.deque.pushFront(next);
        break;
      }
      given.push(next);
    }
    for (let i = kept.length - 1; i >= 0; i--) this.deque.pushFront(kept[i] as WorkItem);
    for (const item of given) {
      item.state = 'given';
      this.settle(workKey(item.submitter, item.jobId, item.task));
    }
    return given;
  }

  /**
   * Drops the items `drop` picks (a job cancelled, a move refused): queued ones leave the deque,
   * running ones are returned so their runs can be cancelled.
   */
  drop(drop: (item: WorkItem) => boolean): { cancelledRuns: number[] } {
    this.deque.remove(drop);
    const cancelledRuns: number[] = [];
    for (const [runId, item] of this.running) {
      if (!drop(item)) continue;
      this.running.delete(runId);
      cancelledRuns.push(runId);
    }
    for (const [key, item] of [...this.items]) if (drop(item)) this.forget(key);
    return { cancelledRuns };
  }

  /** Items this agent holds, in no order (for status and checks). */
  all(): IterableIterator<WorkItem> {
    return this.items.values();
  }

  invariants(workers: number): void {
    if (this.running.size > workers) throw new Error(`${this.running.size} runs on ${workers}`);
    for (const item of this.running.values())
      if (item.state !== 'running') throw new Error(`a ${item.state} item is running`);
    if (this.items.size > this.deque.capacity + workers + this.keptSettled)
      throw new Error(`${this.items.size} items held`);
  }

  private fresh(task: StolenTask, confirmed: boolean, known: WorkItem | undefined): WorkItem {
    const item: WorkItem = {
      jobId: task.jobId,
      submitter: task.submitter,
      kind: task.kind,
      task: task.task,
      epoch: task.epoch,
      input: task.input,
      costMs: task.costMs,
      timeoutMs: task.timeoutMs,
      ...(task.pinned === true ? { pinned: true } : {}),
      state: 'queued',
      confirmed,
      runId: null,
      result: null,
    };
    if (known !== undefined) Object.assign(known, item);
    const kept = known ?? item;
    this.items.set(workKey(task.submitter, task.jobId, task.task), kept);
    return kept;
  }

  private settle(key: string): void {
    this.settled.push(key);
    while (this.settled.length > this.keptSettled) {
      const oldest = this.settled.shift() as string;
      const item = this.items.get(oldest);
      if (item !== undefined && (item.state === 'finished' || item.state === 'given'))
        this.items.delete(oldest);
    }
  }

  private unsettle(key: string): void {
    const at = this.settled.indexOf(key);
    if (at >= 0) this.settled.splice(at, 1);
  }

  private forget(key: string): void {
    this.items.delete(key);
    this.unsettle(key);
  }
}
