import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import { TASK_MAX_PER_MESSAGE, type StoredTaskResult } from '../wire/taskMessages';
import { HashRing } from './hashRing';
import type { NodeContext } from './nodeContext';
import { ResultReplicas, taskKey } from './resultReplicas';

/** Fetches waiting for an answer at most; more are answered null at once. */
export const MAX_PENDING_FETCHES = 64;
/** A `result-store` message carries this much result text at most (well under the lane's bound). */
const STORE_BATCH_CHARS = 256 * 1024;

interface PendingFetch {
  jobId: string;
  task: number;
  asked: Set<AgentId>;
  deadlineMs: Millis;
}

/**
 * The third side of a TaskNode: hash jobs' accepted results kept on their keys' R successors
 * (resultReplicas.ts), handed on when the membership changes, and fetched from them by anyone.
 */
export class ResultKeeper {
  readonly replicas = new ResultReplicas();
  private ring: HashRing;
  private ringOf: readonly AgentId[];
  private readonly fetches = new Map<number, PendingFetch>();

  constructor(private readonly ctx: NodeContext) {
    this.ringOf = ctx.live;
    this.ring = new HashRing([...ctx.live], ctx.config.virtualNodes);
  }

  /** The agents that keep `task`'s result: its key's R successors among the live. */
  successorsOf(jobId: string, task: number): AgentId[] {
    return this.currentRing().owners(taskKey(jobId, task), this.ctx.config.resultReplicas);
  }

  /** A hash job's results were accepted: to each key's successors (this agent keeps its own). */
  keep(jobId: string, submitter: AgentId, results: StoredTaskResult[], nowMs: Millis): void {
    const byAgent = new Map<AgentId, StoredTaskResult[]>();
    for (const entry of results)
      for (const to of this.successorsOf(jobId, entry.task)) {
        const list = byAgent.get(to) ?? [];
        list.push(entry);
        byAgent.set(to, list);
      }
    for (const [to, list] of byAgent) this.store(to, jobId, submitter, list, nowMs);
  }

  /** The membership changed: hand kept results to the successors the new ring adds. */
  onMembers(nowMs: Millis): void {
    // The ring of the agents before the change (currentRing would be rebuilt for the new ones).
    const before = this.ring;
    const after = new HashRing([...this.ctx.live], this.ctx.config.virtualNodes);
    this.ring = after;
    this.ringOf = this.ctx.live;
    const plan = this.replicas.handOff(
      this.ctx.selfId,
      before,
      after,
      this.ctx.config.resultReplicas,
    );
    for (const [to, byJob] of plan)
      for (const [jobId, { submitter, results }] of byJob)
        this.store(to, jobId, submitter, results, nowMs);
    // A fetch waiting on an agent that left will not hear from it.
    for (const [fetchId, fetch] of this.fetches) {
      for (const id of [...fetch.asked]) if (!this.ctx.live.includes(id)) fetch.asked.delete(id);
      if (fetch.asked.size === 0) this.answer(fetchId, null);
    }
  }

  onStore(from: AgentId, jobId: string, submitter: AgentId, results: StoredTaskResult[]): void {
    for (const { task, result } of results) this.replicas.keep({ jobId, submitter, task, result });
  }

  /** Looks for a task's result here, then at its successors (event `result-fetched`). */
  fetch(fetchId: number, jobId: string, task: number, nowMs: Millis): void {
    const here = this.replicas.get(jobId, task);
    if (here !== undefined) return this.emitFetched(fetchId, jobId, task, here.result);
    const asked = new Set(this.successorsOf(jobId, task).filter((id) => id !== this.ctx.selfId));
    if (asked.size === 0 || this.fetches.size >= MAX_PENDING_FETCHES)
      return this.emitFetched(fetchId, jobId, task, null);
    this.fetches.set(fetchId, {
      jobId,
      task,
      asked,
      deadlineMs: nowMs + this.ctx.config.fetchWaitMs,
    });
    for (const to of asked) this.ctx.send(to, { type: 'result-fetch', fetchId, jobId, task });
  }

  onFetch(from: AgentId, fetchId: number, jobId: string, task: number): void {
    const result = this.replicas.get(jobId, task)?.result ?? null;
    this.ctx.send(from, { type: 'result-found', fetchId, jobId, task, result });
  }

  onFound(
    from: AgentId,
    fetchId: number,
    jobId: string,
    task: number,
    result: string | null,
  ): void {
    const fetch = this.fetches.get(fetchId);
    if (fetch === undefined || fetch.jobId !== jobId || fetch.task !== task) return;
    if (!fetch.asked.delete(from)) return;
    if (result !== null) return this.answer(fetchId, result);
    if (fetch.asked.size === 0) this.answer(fetchId, null);
  }

  tick(nowMs: Millis): void {
    for (const [fetchId, fetch] of this.fetches)
      if (fetch.deadlineMs <= nowMs) this.answer(fetchId, null);
  }

  wakeTimes(at: (ms: Millis) => void): void {
    for (const fetch of this.fetches.values()) at(fetch.deadlineMs);
  }

  private answer(fetchId: number, result: string | null): void {
    const fetch = this.fetches.get(fetchId);
    if (fetch === undefined) return;
    this.fetches.delete(fetchId);
    this.emitFetched(fetchId, fetch.jobId, fetch.task, result);
  }

  private emitFetched(fetchId: number, jobId: string, task: number, result: string | null): void {
    this.ctx.emit({ type: 'result-fetched', fetchId, jobId, task, result });
  }

  /** Results to one agent, in messages of at most 64 results and 256 KiB of text. */
  private store(
    to: AgentId,
    jobId: string,
    submitter: AgentId,
    results: StoredTaskResult[],
    nowMs: Millis,
  ): void {
    let batch: StoredTaskResult[] = [];
    let chars = 0;
    const flush = () => {
      if (batch.length === 0) return;
      this.ctx.sendTo(to, { type: 'result-store', jobId, submitter, results: batch }, nowMs);
      batch = [];
      chars = 0;
    };
    for (const entry of results) {
      if (
        batch.length >= TASK_MAX_PER_MESSAGE ||
        (batch.length > 0 && chars + entry.result.length > STORE_BATCH_CHARS)
      )
        flush();
      batch.push(entry);
      chars += entry.result.length;
    }
    flush();
  }

  /** The ring of the live agents (rebuilt only when they change). */
  private currentRing(): HashRing {
    if (this.ringOf !== this.ctx.live) {
      this.ring = new HashRing([...this.ctx.live], this.ctx.config.virtualNodes);
      this.ringOf = this.ctx.live;
    }
    return this.ring;
  }
}
