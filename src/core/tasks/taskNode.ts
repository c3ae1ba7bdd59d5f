import { compareIds, type AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { StoredTaskResult, TaskMessage } from '../wire/taskMessages';
import type { BidFacts } from './auctionBook';
import { JobScheduler } from './jobScheduler';
import { ResultKeeper } from './resultKeeper';
import type { NodeContext, PeerLoad, PendingOp, SchedulerOp } from './nodeContext';
import type {
  JobSpec,
  JobStatus,
  LedgerOutcome,
  RunOutcome,
  TaskEvent,
  TaskNodeConfig,
  TaskNodeEffect,
} from './taskTypes';
import type { WorkItem } from './workQueue';
import { WorkSide } from './workSide';

export type { PeerLoad } from './nodeContext';

/**
 * One agent's task distribution: the jobs it submitted (JobScheduler: placing their tasks,
 * accepting results through the ledger's task table, moving what a lost or failing owner
 * held) and the tasks it runs (WorkSide: a work-stealing queue feeding its workers, steals and
 * pushes between neighbours). Pure: inputs are local requests, messages, ledger and run
 * outcomes, membership and ticks; outputs are effects the host carries out
 * (core/tasks/README.md). This class routes inputs to the two sides and holds what they share.
 */
export class TaskNode implements NodeContext {
  private effects: TaskNodeEffect[] = [];
  private readonly scheduler: JobScheduler;
  private readonly side: WorkSide;
  private readonly keeper: ResultKeeper;
  private liveIds: AgentId[];
  readonly loads = new Map<AgentId, PeerLoad>();
  private readonly ops = new Map<number, PendingOp>();
  private readonly retries: { atMs: Millis; op: PendingOp }[] = [];
  private nextOpId = 1;
  private measuredUtilisation = 0;
  private stopped = false;

  constructor(
    readonly selfId: AgentId,
    readonly config: TaskNodeConfig,
  ) {
    this.liveIds = [selfId];
    this.scheduler = new JobScheduler(this);
    this.side = new WorkSide(this);
    this.keeper = new ResultKeeper(this);
  }

  // ── local requests and queries ───────────────────────────────────────────────────────────

  submit(spec: JobSpec, nowMs: Millis): TaskNodeEffect[] {
    if (this.stopped)
      this.emit({
        type: 'job-failed',
        jobId: spec.jobId,
        code: 'stopped',
        message: 'this agent has left',
      });
    else this.scheduler.submit(spec, nowMs);
    return this.take();
  }

  /** Gives up a job this agent submitted (its promise was abandoned). */
  cancel(jobId: string, nowMs: Millis): TaskNodeEffect[] {
    this.scheduler.cancel(jobId, nowMs);
    return this.take();
  }

  status(jobId: string): JobStatus | null {
    return this.scheduler.status(jobId);
  }

  /** A task's accepted result (JSON text), or null while it has none. */
  resultOf(jobId: string, task: number): string | null {
    return this.scheduler.resultOf(jobId, task);
  }

  /**
   * Looks for a hash job's kept result here and at its key's successors; the answer comes as a
   * `result-fetched` event with this `fetchId`.
   */
  fetchResult(fetchId: number, jobId: string, task: number, nowMs: Millis): TaskNodeEffect[] {
    if (!this.stopped) this.keeper.fetch(fetchId, jobId, task, nowMs);
    return this.take();
  }

  /** Results this agent keeps for their keys' successors. */
  get keptResults(): number {
    return this.keeper.replicas.size;
  }

  /** The result of a hash job's task as this agent keeps it (JSON text), or null. */
  keptResult(jobId: string, task: number): string | null {
    return this.keeper.replicas.get(jobId, task)?.result ?? null;
  }

  /** Jobs submitted here that `status` can show, oldest first. */
  jobIds(): string[] {
    return this.scheduler.jobIds();
  }

  /** The CPU utilisation the host measured, 0-1 (bids and rebalancing weigh it). */
  setUtilisation(utilisation: number): void {
    this.measuredUtilisation = Math.min(1, Math.max(0, utilisation));
  }

  get utilisation(): number {
    return this.measuredUtilisation;
  }

  /** Whether this agent forges the results it computes (the `lie-results` behaviour). */
  lying = false;

  /** What this agent's queue holds, for the neighbours, the load summary and the dashboard. */
  load(): { queued: number; running: number; workers: number; meanTaskMs: number } {
    return this.side.load();
  }

  /** Runs this agent finished since it started (the dashboard's task rate). */
  get completedRuns(): number {
    return this.side.completedRuns;
  }

  /** The neighbours' queues as they last told them. */
  peerLoads(): ({ agent: AgentId } & PeerLoad)[] {
    return [...this.loads].map(([agent, load]) => ({ agent, ...load }));
  }

  get live(): readonly AgentId[] {
    return this.liveIds;
  }

  /** The agents this one can reach now, itself included. */
  setMembers(live: readonly AgentId[], nowMs: Millis): TaskNodeEffect[] {
    const next = [...new Set([this.selfId, ...live])].sort(compareIds);
    const known = new Set(this.liveIds);
    if (next.some((id) => !known.has(id))) this.side.markLoadChanged();
    // Told four times a second, mostly the same set: the kept results are handed on (and the
    // ring rebuilt) only when it changed.
    const changed =
      next.length !== this.liveIds.length || next.some((id, i) => id !== this.liveIds[i]);
    if (changed) {
      this.liveIds = next;
      this.keeper.onMembers(nowMs);
    }
    const alive = new Set(next);
    for (const peer of [...this.loads.keys()]) if (!alive.has(peer)) this.loads.delete(peer);
    this.scheduler.onMembers(alive, nowMs);
    this.side.onMembers(alive);
    return this.take();
  }

  // ── inputs from the host ─────────────────────────────────────────────────────────────────

  onMessage(from: AgentId, msg: TaskMessage, nowMs: Millis): TaskNodeEffect[] {
    if (!this.stopped) this.handle(from, msg, nowMs);
    return this.take();
  }

  onLedger(opId: number, outcome: LedgerOutcome, nowMs: Millis): TaskNodeEffect[] {
    const pending = this.ops.get(opId);
    if (pending === undefined || this.stopped) return this.take();
    this.ops.delete(opId);
    if (!outcome.ok) {
      if (outcome.retryable)
        this.retries.push({ atMs: nowMs + this.config.ledgerRetryMs, op: pending });
      else if (pending.purpose === 'move') {
        // The job is closed (done or given up): the stolen tasks are nobody's to run.
        const tasks = new Set(pending.op.tasks.map(([task]) => task));
        this.dropWork((item) => item.jobId === pending.jobId && tasks.has(item.task));
      } else this.scheduler.onLedgerRefused(pending, outcome.reason, nowMs);
      return this.take();
    }
    if (pending.purpose === 'move') {
      if (outcome.result.kind === 'assigned') this.side.onMoved(pending, outcome.result, nowMs);
    } else this.scheduler.onLedgerApplied(pending, outcome.result, nowMs);
    return this.take();
  }

  onRunDone(runId: number, outcome: RunOutcome, nowMs: Millis): TaskNodeEffect[] {
    if (!this.stopped) this.side.onRunDone(runId, outcome, nowMs);
    return this.take();
  }

  tick(nowMs: Millis): TaskNodeEffect[] {
    if (this.stopped) return this.take();
    for (let i = this.retries.length - 1; i >= 0; i--) {
      const retry = this.retries[i] as { atMs: Millis; op: PendingOp };
      if (retry.atMs > nowMs) continue;
      this.retries.splice(i, 1);
      if (this.stillWanted(retry.op)) this.ledger({ ...retry.op, tries: retry.op.tries + 1 });
    }
    this.scheduler.tick(nowMs);
    this.side.tick(nowMs);
    this.keeper.tick(nowMs);
    return this.take();
  }

  nextWakeMs(): Millis | null {
    let next: Millis | null = null;
    const at = (ms: Millis) => {
      if (next === null || ms < next) next = ms;
    };
    for (const retry of this.retries) at(retry.atMs);
    this.scheduler.wakeTimes(at);
    this.side.wakeTimes(at);
    this.keeper.wakeTimes(at);
    return next;
  }

  /** Stops: every job this agent submitted fails `stopped`; later inputs are ignored. */
  stop(nowMs: Millis): TaskNodeEffect[] {
    this.scheduler.stop(nowMs);
    this.stopped = true;
    return this.take();
  }

  invariants(): void {
    this.side.invariants();
    this.scheduler.invariants();
  }

  // ── NodeContext: what the two sides share ────────────────────────────────────────────────

  send(to: AgentId, msg: TaskMessage): void {
    this.effects.push({ kind: 'send', to, msg });
  }

  sendTo(to: AgentId, msg: TaskMessage, nowMs: Millis): void {
    if (to === this.selfId) this.handle(to, msg, nowMs);
    else this.send(to, msg);
  }

  ledger(op: PendingOp): void {
    const opId = this.nextOpId++;
    this.ops.set(opId, op);
    this.effects.push({ kind: 'ledger', opId, op: op.op });
  }

  effect(effect: TaskNodeEffect): void {
    this.effects.push(effect);
  }

  emit(event: TaskEvent): void {
    this.effects.push({ kind: 'event', event });
  }

  bidFacts(kind: string): BidFacts {
    return this.side.bidFacts(kind);
  }

  dropWork(drop: (item: WorkItem) => boolean): void {
    this.side.dropWork(drop);
  }

  keepResults(jobId: string, results: StoredTaskResult[], nowMs: Millis): void {
    this.keeper.keep(jobId, this.selfId, results, nowMs);
  }

  // ── routing ──────────────────────────────────────────────────────────────────────────────

  private handle(from: AgentId, msg: TaskMessage, nowMs: Millis): void {
    switch (msg.type) {
      case 'task-offer':
        return this.side.onOffer(from, msg, nowMs);
      case 'task-result':
        return this.scheduler.onResult(from, msg, nowMs);
      case 'task-cancel':
        return this.side.onCancel(from, msg.jobId);
      case 'task-load': {
        const { type: _type, ...load } = msg;
        this.loads.set(from, { ...load, atMs: nowMs });
        return;
      }
      case 'steal-ask':
        return this.side.onStealAsk(from, msg.stealId, msg.count, nowMs);
      case 'steal-give':
        return this.side.onStealGive(from, msg.stealId, msg.tasks, nowMs);
      case 'task-moved':
        return this.scheduler.onTaskMoved(from, msg.jobId, msg.tasks, nowMs);
      case 'task-announce':
        return this.send(from, {
          type: 'task-bid',
          auctionId: msg.auctionId,
          ...this.side.bidFacts(msg.kind),
        });
      case 'task-bid': {
        const { type: _type, auctionId, ...facts } = msg;
        return this.scheduler.onBid(from, auctionId, facts, nowMs);
      }
      case 'result-store':
        return this.keeper.onStore(from, msg.jobId, msg.submitter, msg.results);
      case 'result-fetch':
        return this.keeper.onFetch(from, msg.fetchId, msg.jobId, msg.task);
      case 'result-found':
        return this.keeper.onFound(from, msg.fetchId, msg.jobId, msg.task, msg.result);
    }
  }

  private stillWanted(op: PendingOp): boolean {
    return op.purpose === 'move' || this.scheduler.stillWanted(op as SchedulerOp);
  }

  private take(): TaskNodeEffect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }
}
