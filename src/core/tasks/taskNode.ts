import { compareIds, shortId, type AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import {
  TASK_MAX_PER_MESSAGE,
  TASK_MESSAGE_MAX_BYTES,
  type OfferedTask,
  type StolenTask,
  type TaskMessage,
} from '../wire/taskMessages';
import { planAwards, type Auction, type AuctionedTask } from './auctionBook';
import { HashRing } from './hashRing';
import { JobBook, type TrackedTask } from './jobBook';
import { offerBatches } from './offerBatches';
import { planRebalance } from './rebalance';
import { MAX_QUEUED_TASKS, planSteal, type AgentLoad, type StealPlan } from './stealing';
import {
  MAX_RESULTS_PER_OP,
  MAX_TASKS_PER_OP,
  type TaskTableOp,
  type TaskTableResult,
} from './taskTable';
import type {
  JobErrorCode,
  JobSpec,
  JobStatus,
  LedgerOutcome,
  RunOutcome,
  TaskEvent,
  TaskNodeConfig,
  TaskNodeEffect,
} from './taskTypes';
import { WorkQueue, type WorkItem } from './workQueue';

/** Finished jobs kept for `status`. */
const FINISHED_JOBS_KEPT = 32;
/** A peer's load older than this is not stolen from. */
const LOAD_FRESH_MS = 10_000;
/** Agents asked to bid in one auction at most (the smallest ids after this one). */
const MAX_BIDDERS = 63;

type PendingOp =
  | { purpose: 'open' | 'close'; op: TaskTableOp; jobId: string; tries: number }
  | {
      purpose: 'assign';
      op: Extract<TaskTableOp, { kind: 'task-assign' }>;
      jobId: string;
      reason: string;
      tries: number;
    }
  | {
      purpose: 'accept';
      op: Extract<TaskTableOp, { kind: 'task-accept' }>;
      jobId: string;
      tries: number;
    }
  | {
      purpose: 'move';
      op: Extract<TaskTableOp, { kind: 'task-assign' }>;
      jobId: string;
      tries: number;
    };

export interface PeerLoad {
  queued: number;
  running: number;
  workers: number;
  meanTaskMs: number;
  utilisation: number;
  atMs: Millis;
}

/**
 * One agent's task distribution: the jobs it submitted (assigning their tasks by strategy,
 * accepting results through the ledger's task table, reassigning what a lost or failing owner
 * held) and the tasks it runs (a work-stealing queue feeding its workers, steals from and by
 * neighbours). Pure: inputs are local requests, messages, ledger and run outcomes, membership
 * and ticks; outputs are effects the host carries out (core/tasks/README.md).
 */
export class TaskNode {
  private effects: TaskNodeEffect[] = [];
  private readonly jobs = new Map<string, JobBook>();
  private readonly finished: string[] = [];
  private readonly work: WorkQueue;
  private live: AgentId[];
  private readonly loads = new Map<AgentId, PeerLoad>();
  private readonly ops = new Map<number, PendingOp>();
  private readonly retries: { atMs: Millis; op: PendingOp }[] = [];
  private readonly auctions = new Map<number, Auction>();
  private steal: { stealId: number; victim: AgentId; plan: StealPlan; sentAtMs: Millis } | null =
    null;
  private nextOpId = 1;
  private nextRunId = 1;
  private nextStealId = 1;
  private nextAuctionId = 1;
  private loadDirty = true;
  private lastLoadSentMs = -Infinity;
  private nextStealCheckMs = 0;
  private hot = false;
  private nextRebalanceMs = 0;
  private utilisation = 0;
  private readonly meanMsByKind = new Map<string, number>();
  private stopped = false;
  private runsFinished = 0;

  constructor(
    readonly selfId: AgentId,
    private readonly config: TaskNodeConfig,
  ) {
    this.work = new WorkQueue(MAX_QUEUED_TASKS, config.finishedKept);
    this.live = [selfId];
  }

  // ── local requests ───────────────────────────────────────────────────────────────────────

  submit(spec: JobSpec, nowMs: Millis): TaskNodeEffect[] {
    if (this.stopped) return [this.jobEvent(spec.jobId, 'stopped', 'this agent has left')];
    if (this.jobs.has(spec.jobId))
      return [this.jobEvent(spec.jobId, 'invalid', `job ${spec.jobId} exists already`)];
    if (this.runningJobs() >= this.config.maxJobs)
      return [
        this.jobEvent(spec.jobId, 'too-many-jobs', `${this.config.maxJobs} jobs run here already`),
      ];
    const job = new JobBook(spec, nowMs);
    this.jobs.set(spec.jobId, job);
    this.ledger({
      purpose: 'open',
      op: {
        kind: 'task-open',
        jobId: spec.jobId,
        submitter: this.selfId,
        tasks: spec.inputs.length,
      },
      jobId: spec.jobId,
      tries: 0,
    });
    return this.take();
  }

  /** Gives up a job this agent submitted (its promise was abandoned). */
  cancel(jobId: string, nowMs: Millis): TaskNodeEffect[] {
    const job = this.jobs.get(jobId);
    if (job !== undefined && job.state === 'running')
      this.failJob(job, 'stopped', 'cancelled', nowMs);
    return this.take();
  }

  status(jobId: string): JobStatus | null {
    return this.jobs.get(jobId)?.status() ?? null;
  }

  /** The CPU utilisation the host measured, 0-1 (bids carry it). */
  setUtilisation(utilisation: number): void {
    this.utilisation = Math.min(1, Math.max(0, utilisation));
  }

  /** What this agent's queue holds, for the neighbours, the load summary and the dashboard. */
  load(): { queued: number; running: number; workers: number; meanTaskMs: number } {
    return {
      queued: this.work.queued,
      running: this.work.runningCount,
      workers: this.config.workers,
      meanTaskMs: this.meanTaskMs(),
    };
  }

  /** Runs this agent finished since it started (the dashboard's task rate). */
  get completedRuns(): number {
    return this.runsFinished;
  }

  /** The neighbours' queues as they last told them. */
  peerLoads(): ({ agent: AgentId } & PeerLoad)[] {
    return [...this.loads].map(([agent, load]) => ({ agent, ...load }));
  }

  /** A task's accepted result (JSON text), or null while it has none. */
  resultOf(jobId: string, task: number): string | null {
    return this.jobs.get(jobId)?.tasks[task]?.result ?? null;
  }

  /** Jobs submitted here that `status` can show, oldest first. */
  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  /** The agents this one can reach now, itself included. */
  setMembers(live: readonly AgentId[], nowMs: Millis): TaskNodeEffect[] {
    const next = [...new Set([this.selfId, ...live])].sort(compareIds);
    const known = new Set(this.live);
    if (next.some((id) => !known.has(id))) this.loadDirty = true;
    this.live = next;
    const alive = new Set(next);
    for (const peer of [...this.loads.keys()]) if (!alive.has(peer)) this.loads.delete(peer);
    for (const job of this.jobs.values()) {
      if (job.state !== 'running') continue;
      const lost = job.tasks
        .map((t, i) => ({ t, i }))
        .filter(
          ({ t }) => t.state === 'assigned' && !t.moving && t.owner !== null && !alive.has(t.owner),
        )
        .map(({ i }) => i);
      if (lost.length > 0) this.reassign(job, lost, 'its owner is unreachable', nowMs);
    }
    for (const auction of this.auctions.values()) {
      for (const id of [...auction.waiting]) if (!alive.has(id)) auction.waiting.delete(id);
      if (auction.waiting.size === 0) this.award(auction, nowMs);
    }
    // Work for a submitter that is gone has nobody to report to.
    const orphans = this.work.drop((item) => !alive.has(item.submitter));
    for (const runId of orphans.cancelledRuns) this.effects.push({ kind: 'cancel', runId });
    this.pump();
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
      else this.onLedgerRefused(pending, outcome.reason, nowMs);
      return this.take();
    }
    this.onLedgerApplied(pending, outcome.result, nowMs);
    return this.take();
  }

  onRunDone(runId: number, outcome: RunOutcome, nowMs: Millis): TaskNodeEffect[] {
    const result: WorkItem['result'] = null;
    const item = this.work.finish(runId, result);
    if (item === undefined || this.stopped) return this.take();
    this.runsFinished++;
    if (outcome.ok) {
      const mean = this.meanMsByKind.get(item.kind);
      this.meanMsByKind.set(
        item.kind,
        mean === undefined ? outcome.ms : mean * 0.8 + outcome.ms * 0.2,
      );
    }
    item.result = outcome.ok
      ? {
          type: 'task-result',
          jobId: item.jobId,
          task: item.task,
          epoch: item.epoch,
          ok: true,
          result: outcome.result,
          ms: outcome.ms,
        }
      : {
          type: 'task-result',
          jobId: item.jobId,
          task: item.task,
          epoch: item.epoch,
          ok: false,
          error:
            outcome.code === 'cancelled' || outcome.code === 'busy' || outcome.code === 'stopped'
              ? 'failed'
              : outcome.code,
          message: outcome.message.slice(0, 400),
          ms: outcome.ms,
        };
    if (item.confirmed) this.deliver(item, nowMs);
    this.loadDirty = true;
    this.pump();
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
    for (const auction of [...this.auctions.values()])
      if (auction.deadlineMs <= nowMs) this.award(auction, nowMs);
    if (this.steal !== null && nowMs - this.steal.sentAtMs >= this.config.stealWaitMs)
      this.steal = null;
    for (const job of [...this.jobs.values()]) {
      if (job.state !== 'running') continue;
      if (nowMs - job.submittedAtMs >= job.spec.timeoutMs) {
        this.failJob(
          job,
          'timeout',
          `not done in ${job.spec.timeoutMs} ms (${job.doneCount}/${job.tasks.length} tasks)`,
          nowMs,
        );
        continue;
      }
      this.reoffer(job, nowMs);
    }
    if (nowMs >= this.nextStealCheckMs) {
      this.nextStealCheckMs = nowMs + this.config.stealEveryMs;
      this.maybeSteal(nowMs);
    }
    if (nowMs >= this.nextRebalanceMs) {
      this.nextRebalanceMs = nowMs + this.config.rebalanceEveryMs;
      this.maybeRebalance(nowMs);
    }
    this.sendLoad(nowMs);
    return this.take();
  }

  nextWakeMs(): Millis | null {
    let next: Millis | null = null;
    const at = (ms: Millis) => {
      if (next === null || ms < next) next = ms;
    };
    for (const retry of this.retries) at(retry.atMs);
    for (const auction of this.auctions.values()) at(auction.deadlineMs);
    if (this.steal !== null) at(this.steal.sentAtMs + this.config.stealWaitMs);
    for (const job of this.jobs.values()) {
      if (job.state !== 'running') continue;
      at(job.submittedAtMs + job.spec.timeoutMs);
      for (const t of job.tasks)
        if (this.awaitingResult(t)) at(t.offeredAtMs + this.config.reofferMs);
    }
    if (this.stealWorthChecking()) at(this.nextStealCheckMs);
    if (
      this.work.queued > this.config.workers &&
      this.utilisation >= this.config.rebalance.coolBelow
    )
      at(this.nextRebalanceMs);
    if (this.loadDirty) at(this.lastLoadSentMs + this.config.loadEveryMs);
    return next;
  }

  /** Stops: every job this agent submitted fails `stopped`; later inputs are ignored. */
  stop(nowMs: Millis): TaskNodeEffect[] {
    for (const job of this.jobs.values())
      if (job.state === 'running')
        this.failJob(job, 'stopped', 'this agent has left the mesh', nowMs);
    this.stopped = true;
    return this.take();
  }

  invariants(): void {
    this.work.invariants(this.config.workers);
    for (const job of this.jobs.values()) job.invariants();
    if (this.runningJobs() > this.config.maxJobs) throw new Error('too many jobs');
  }

  // ── messages ─────────────────────────────────────────────────────────────────────────────

  private handle(from: AgentId, msg: TaskMessage, nowMs: Millis): void {
    switch (msg.type) {
      case 'task-offer':
        for (const t of msg.tasks)
          this.takeTask({ ...t, jobId: msg.jobId, submitter: from, kind: msg.kind }, true, nowMs);
        this.pump();
        return;
      case 'task-result':
        return this.onResult(from, msg, nowMs);
      case 'task-cancel': {
        const { cancelledRuns } = this.work.drop(
          (item) => item.submitter === from && item.jobId === msg.jobId,
        );
        for (const runId of cancelledRuns) this.effects.push({ kind: 'cancel', runId });
        this.loadDirty = true;
        this.pump();
        return;
      }
      case 'task-load':
        this.loads.set(from, {
          queued: msg.queued,
          running: msg.running,
          workers: msg.workers,
          meanTaskMs: msg.meanTaskMs,
          utilisation: msg.utilisation,
          atMs: nowMs,
        });
        return;
      case 'steal-ask':
        return this.onStealAsk(from, msg.stealId, msg.count, nowMs);
      case 'steal-give':
        return this.onStealGive(from, msg.stealId, msg.tasks, nowMs);
      case 'task-moved': {
        const job = this.jobs.get(msg.jobId);
        if (job === undefined) return;
        for (const [task, epoch] of msg.tasks)
          if (task < job.tasks.length) job.assigned(task, from, epoch, nowMs);
        return;
      }
      case 'task-announce':
        return this.send(from, {
          type: 'task-bid',
          auctionId: msg.auctionId,
          capabilities: { ...this.config.capabilities, tags: [...this.config.capabilities.tags] },
          utilisation: this.utilisation,
          speed: this.speedOf(msg.kind),
          queueMs: this.queueMs(),
          workers: this.config.workers,
        });
      case 'task-bid': {
        const auction = this.auctions.get(msg.auctionId);
        if (auction === undefined || !auction.waiting.delete(from)) return;
        const { type: _type, auctionId: _id, ...facts } = msg;
        auction.bids.set(from, facts);
        if (auction.waiting.size === 0) this.award(auction, nowMs);
        return;
      }
    }
  }

  // ── submitter side ───────────────────────────────────────────────────────────────────────

  private onLedgerApplied(pending: PendingOp, result: TaskTableResult, nowMs: Millis): void {
    const job = this.jobs.get(pending.jobId);
    switch (pending.purpose) {
      case 'open':
        if (job === undefined) return;
        job.opened = true;
        // Given up while it was opening: the table must not keep it.
        if (job.state !== 'running') return this.closeJob(job);
        for (const t of job.tasks) t.state = 'unassigned';
        return this.assignInitial(job, nowMs);
      case 'close':
        return;
      case 'assign':
        if (job === undefined || result.kind !== 'assigned') return;
        return this.onAssigned(job, pending, result, nowMs);
      case 'accept':
        if (job === undefined || result.kind !== 'accepted') return;
        return this.onAccepted(job, result, nowMs);
      case 'move':
        if (result.kind !== 'assigned') return;
        return this.onMoved(pending, result, nowMs);
    }
  }

  private onLedgerRefused(pending: PendingOp, reason: string, nowMs: Millis): void {
    const job = this.jobs.get(pending.jobId);
    if (pending.purpose === 'open' && job !== undefined && job.state === 'running') {
      // A retried open that had landed the first time is refused as open already: it is ours.
      if (pending.tries > 0 && /open already/.test(reason)) {
        return this.onLedgerApplied(pending, { kind: 'opened' }, nowMs);
      }
      return this.failJob(job, 'ledger-refused', reason, nowMs);
    }
    if (pending.purpose === 'move') {
      // The job is closed (done or given up): the stolen tasks are nobody's to run.
      const tasks = new Set(pending.op.tasks.map(([task]) => task));
      this.dropWork((item) => item.jobId === pending.jobId && tasks.has(item.task));
      return;
    }
    if (job !== undefined && job.state === 'running') {
      if (pending.purpose === 'accept') job.accepting = false;
      this.failJob(job, 'ledger-refused', reason, nowMs);
    }
  }

  private assignInitial(job: JobBook, nowMs: Millis): void {
    const all: AuctionedTask[] = job.tasks.map((_, task) => ({ task, from: null, epoch: 0 }));
    this.place(job, all, 'submitted', nowMs);
  }

  /** Finds owners for `tasks` by the job's strategy and proposes the moves. */
  private place(job: JobBook, tasks: AuctionedTask[], reason: string, nowMs: Millis): void {
    if (tasks.length === 0) return;
    if (job.spec.strategy === 'auction') return this.startAuction(job, tasks, nowMs);
    const targets = new Map<AgentId, AuctionedTask[]>();
    for (const t of tasks) {
      const owner = this.targetFor(job, t.task);
      if (owner === null)
        return this.failJob(job, 'task-failed', this.exhausted(job, t.task), nowMs);
      const list = targets.get(owner) ?? [];
      list.push(t);
      targets.set(owner, list);
    }
    for (const [to, list] of targets) this.proposeMoves(job, to, list, reason);
  }

  /**
   * The owner a steal or hash job gives a task to: never one that cannot run its kind, and one
   * it has not failed on while there is such an agent (else a retry where it failed).
   */
  private targetFor(job: JobBook, task: number): AgentId | null {
    const t = job.tasks[task] as TrackedTask;
    const able = this.live.filter((id) => !t.cannotRunOn.includes(id));
    const fresh = able.filter((id) => !t.failedOn.includes(id));
    const candidates = fresh.length > 0 ? fresh : able;
    if (candidates.length === 0) return null;
    // Work stealing starts every task here; the idle agents come and take their share.
    if (job.spec.strategy === 'steal')
      return candidates.includes(this.selfId) ? this.selfId : (candidates[0] as AgentId);
    return new HashRing(candidates, this.config.virtualNodes).ownerOf(`${job.jobId}/${task}`);
  }

  private proposeMoves(job: JobBook, to: AgentId, tasks: AuctionedTask[], reason: string): void {
    const byFrom = new Map<AgentId | null, AuctionedTask[]>();
    for (const t of tasks) {
      const list = byFrom.get(t.from) ?? [];
      list.push(t);
      byFrom.set(t.from, list);
    }
    for (const [from, list] of byFrom) {
      for (let i = 0; i < list.length; i += MAX_TASKS_PER_OP) {
        const chunk = list.slice(i, i + MAX_TASKS_PER_OP);
        for (const t of chunk) (job.tasks[t.task] as TrackedTask).moving = true;
        this.ledger({
          purpose: 'assign',
          op: {
            kind: 'task-assign',
            jobId: job.jobId,
            from,
            to,
            tasks: chunk.map((t) => [t.task, t.epoch]),
          },
          jobId: job.jobId,
          reason,
          tries: 0,
        });
      }
    }
  }

  private onAssigned(
    job: JobBook,
    pending: Extract<PendingOp, { purpose: 'assign' }>,
    result: Extract<TaskTableResult, { kind: 'assigned' }>,
    nowMs: Millis,
  ): void {
    const { to, from } = pending.op;
    const seen = new Map(pending.op.tasks);
    for (const [task] of pending.op.tasks) (job.tasks[task] as TrackedTask).moving = false;
    if (job.state !== 'running') return;
    const moved: number[] = [];
    for (const [task, epoch] of result.moved) {
      job.assigned(task, to, epoch, nowMs);
      moved.push(task);
    }
    const again: AuctionedTask[] = [];
    for (const refusal of result.refused) {
      // A retried move that had landed: the ledger has it where it was sent.
      if (
        refusal.owner === to &&
        refusal.epoch === (seen.get(refusal.task) ?? -2) + 1 &&
        !refusal.accepted
      ) {
        job.assigned(refusal.task, to, refusal.epoch, nowMs);
        moved.push(refusal.task);
        continue;
      }
      job.learned(refusal);
      const t = job.tasks[refusal.task] as TrackedTask;
      if (refusal.accepted || t.state === 'done') continue;
      t.state = refusal.owner === null ? 'unassigned' : 'assigned';
      if (refusal.owner === null || !this.live.includes(refusal.owner))
        again.push({ task: refusal.task, from: refusal.owner, epoch: refusal.epoch });
      else t.offeredAtMs = -Infinity; // someone else moved it (a steal): ask them for it
    }
    if (moved.length > 0) {
      if (pending.reason !== 'submitted')
        this.emit({
          type: 'task-reassigned',
          jobId: job.jobId,
          tasks: moved,
          from,
          to,
          reason: pending.reason,
        });
      this.offer(job, to, moved, nowMs);
    }
    if (again.length > 0) this.place(job, again, pending.reason, nowMs);
    this.reoffer(job, nowMs);
  }

  /**
   * A task assigned and not being moved: offered again while no result comes, to this agent
   * too (what it gave a thief whose move never landed comes back that way).
   */
  private awaitingResult(t: TrackedTask): boolean {
    return t.state === 'assigned' && !t.moving && t.owner !== null;
  }

  /** Sends `tasks` to their owner (or queues them here when the owner is this agent). */
  private offer(job: JobBook, owner: AgentId, tasks: number[], nowMs: Millis): void {
    const offered: OfferedTask[] = [];
    for (const task of tasks) {
      const t = job.tasks[task] as TrackedTask;
      if (t.state !== 'assigned' || t.owner !== owner) continue;
      t.offeredAtMs = nowMs;
      offered.push({
        task,
        epoch: t.epoch,
        input: job.spec.inputs[task] as string,
        costMs: job.spec.costMs,
        timeoutMs: job.spec.runTimeoutMs,
      });
    }
    if (owner === this.selfId) {
      for (const t of offered)
        this.takeTask(
          { ...t, jobId: job.jobId, submitter: this.selfId, kind: job.spec.kind },
          true,
          nowMs,
        );
      this.pump();
      return;
    }
    for (const batch of offerBatches(offered))
      this.send(owner, { type: 'task-offer', jobId: job.jobId, kind: job.spec.kind, tasks: batch });
  }

  /**
   * Offers again the tasks whose owner has not answered for `reofferMs`, and moves on those
   * whose owner is out of reach (a move that landed late, after its target was lost).
   */
  private reoffer(job: JobBook, nowMs: Millis): void {
    const due = new Map<AgentId, number[]>();
    const lost: number[] = [];
    for (const [task, t] of job.tasks.entries()) {
      if (!this.awaitingResult(t)) continue;
      const owner = t.owner as AgentId;
      if (!this.live.includes(owner)) {
        lost.push(task);
        continue;
      }
      if (nowMs - t.offeredAtMs < this.config.reofferMs) continue;
      const list = due.get(owner) ?? [];
      list.push(task);
      due.set(owner, list);
    }
    for (const [owner, tasks] of due) this.offer(job, owner, tasks, nowMs);
    if (lost.length > 0) this.reassign(job, lost, 'its owner is unreachable', nowMs);
  }

  private onResult(
    from: AgentId,
    msg: Extract<TaskMessage, { type: 'task-result' }>,
    nowMs: Millis,
  ): void {
    const job = this.jobs.get(msg.jobId);
    if (job === undefined || job.state !== 'running') return;
    const t = job.tasks[msg.task];
    if (t === undefined)
      return this.emit({
        type: 'bad-message',
        from,
        detail: `result for task ${msg.task} of ${job.jobId}, which has ${job.tasks.length}`,
      });
    if (t.state === 'done' || t.pending !== null) return;
    if (msg.ok) {
      t.pending = {
        owner: from,
        epoch: msg.epoch,
        result: msg.result,
        digest: this.config.digestOf(msg.result),
        ms: msg.ms,
      };
      t.state = 'accepting';
      return this.flushAccepts(job);
    }
    this.emit({
      type: 'task-error',
      jobId: job.jobId,
      task: msg.task,
      owner: from,
      code: msg.error,
      message: msg.message,
    });
    if (from !== t.owner || msg.epoch !== t.epoch || t.moving) return;
    t.lastError = `${msg.error}: ${msg.message}`;
    // The input is at fault: it would fail the same way anywhere.
    if (msg.error === 'invalid-input' || msg.error === 'too-large')
      return this.failJob(job, 'task-failed', `task ${msg.task}: ${t.lastError}`, nowMs);
    if (!t.failedOn.includes(from)) t.failedOn.push(from);
    if (msg.error === 'unknown-kind' && !t.cannotRunOn.includes(from)) t.cannotRunOn.push(from);
    this.reassign(job, [msg.task], `it failed on ${shortId(from)} (${msg.error})`, nowMs);
  }

  /** Results waiting for the ledger go in one operation per owner, one operation at a time. */
  private flushAccepts(job: JobBook): void {
    if (job.accepting || job.state !== 'running') return;
    let owner: AgentId | null = null;
    const results: [number, number, string][] = [];
    for (const [task, t] of job.tasks.entries()) {
      if (t.state !== 'accepting' || t.pending === null) continue;
      owner ??= t.pending.owner;
      if (t.pending.owner !== owner) continue;
      results.push([task, t.pending.epoch, t.pending.digest]);
      if (results.length >= MAX_RESULTS_PER_OP) break;
    }
    if (owner === null) return;
    job.accepting = true;
    this.ledger({
      purpose: 'accept',
      op: { kind: 'task-accept', jobId: job.jobId, owner, results },
      jobId: job.jobId,
      tries: 0,
    });
  }

  private onAccepted(
    job: JobBook,
    result: Extract<TaskTableResult, { kind: 'accepted' }>,
    nowMs: Millis,
  ): void {
    job.accepting = false;
    if (job.state !== 'running') return;
    for (const task of result.accepted) this.acceptTask(job, task);
    const lost: AuctionedTask[] = [];
    for (const refusal of result.refused) {
      const t = job.tasks[refusal.task] as TrackedTask;
      if (t.pending !== null && refusal.accepted && refusal.digest === t.pending.digest) {
        this.acceptTask(job, refusal.task); // an earlier try of this accept landed
        continue;
      }
      // A stale owner's result: the task lives elsewhere now.
      t.pending = null;
      t.state = refusal.owner === null ? 'unassigned' : 'assigned';
      job.learned(refusal);
      t.offeredAtMs = -Infinity;
      if (refusal.owner === null || !this.live.includes(refusal.owner))
        lost.push({ task: refusal.task, from: refusal.owner, epoch: refusal.epoch });
    }
    if (lost.length > 0)
      this.reassign(
        job,
        lost.map((l) => l.task),
        'its owner is unreachable',
        nowMs,
      );
    if (job.complete) return this.completeJob(job, nowMs);
    this.reoffer(job, nowMs);
    this.flushAccepts(job);
  }

  private acceptTask(job: JobBook, task: number): void {
    const t = job.tasks[task] as TrackedTask;
    const pending = t.pending;
    if (pending === null) return;
    job.accepted(task, pending.result);
    this.emit({
      type: 'task-accepted',
      jobId: job.jobId,
      task,
      owner: pending.owner,
      epoch: pending.epoch,
      ms: pending.ms,
    });
  }

  /** Moves tasks away from an owner that failed or was lost, within the attempts bound. */
  private reassign(job: JobBook, tasks: number[], reason: string, nowMs: Millis): void {
    const moving: AuctionedTask[] = [];
    for (const task of tasks) {
      const t = job.tasks[task] as TrackedTask;
      if (t.state === 'done' || t.moving || t.pending !== null) continue;
      t.attempts++;
      if (t.attempts > this.config.maxAttempts)
        return this.failJob(job, 'task-failed', this.exhausted(job, task), nowMs);
      moving.push({ task, from: t.owner, epoch: t.epoch });
    }
    this.place(job, moving, reason, nowMs);
  }

  private exhausted(job: JobBook, task: number): string {
    const t = job.tasks[task] as TrackedTask;
    return `task ${task} failed ${t.attempts} times; last: ${t.lastError ?? 'its owner was lost'}`;
  }

  private startAuction(job: JobBook, tasks: AuctionedTask[], nowMs: Millis): void {
    const auctionId = this.nextAuctionId++;
    const bidders = this.live.filter((id) => id !== this.selfId).slice(0, MAX_BIDDERS);
    const auction: Auction = {
      auctionId,
      jobId: job.jobId,
      requires: job.spec.requires,
      costMs: job.spec.costMs,
      tasks,
      waiting: new Set(bidders),
      bids: new Map([
        [
          this.selfId,
          {
            capabilities: { ...this.config.capabilities, tags: [...this.config.capabilities.tags] },
            utilisation: this.utilisation,
            speed: this.speedOf(job.spec.kind),
            queueMs: this.queueMs(),
            workers: this.config.workers,
          },
        ],
      ]),
      announcedAtMs: nowMs,
      deadlineMs: nowMs + this.config.bidWaitMs,
    };
    for (const [, t] of tasks.entries()) (job.tasks[t.task] as TrackedTask).moving = true;
    this.auctions.set(auctionId, auction);
    for (const bidder of bidders)
      this.send(bidder, {
        type: 'task-announce',
        auctionId,
        jobId: job.jobId,
        kind: job.spec.kind,
        requires: job.spec.requires,
        count: tasks.length,
        costMs: job.spec.costMs,
      });
    if (bidders.length === 0) this.award(auction, nowMs);
  }

  private award(auction: Auction, nowMs: Millis): void {
    if (!this.auctions.delete(auction.auctionId)) return;
    const job = this.jobs.get(auction.jobId);
    if (job === undefined) return;
    for (const t of auction.tasks) (job.tasks[t.task] as TrackedTask).moving = false;
    if (job.state !== 'running') return;
    // A bidder that failed a task is not considered for it again.
    const plan = planAwards(auction, {
      weights: this.config.auctionWeights,
      matchThreshold: this.config.matchThreshold,
    });
    const byWinner = new Map<AgentId, AuctionedTask[]>();
    for (const [i, t] of auction.tasks.entries()) {
      let winner = plan.winners[i] ?? null;
      if (winner !== null && (job.tasks[t.task] as TrackedTask).failedOn.includes(winner))
        winner = this.targetFor(job, t.task);
      if (winner === null) {
        const asked = auction.bids.size;
        return this.failJob(
          job,
          'no-capable-agent',
          `no agent of ${asked} bidding meets ${JSON.stringify(job.spec.requires)} (match threshold ${this.config.matchThreshold})`,
          nowMs,
        );
      }
      const list = byWinner.get(winner) ?? [];
      list.push(t);
      byWinner.set(winner, list);
    }
    this.emit({
      type: 'award',
      jobId: job.jobId,
      auctionId: auction.auctionId,
      winners: [...byWinner].map(([agent, list]) => ({ agent, tasks: list.length })),
      scored: plan.scored,
      bids: auction.bids.size,
      waitedMs: nowMs - auction.announcedAtMs,
    });
    for (const [to, list] of byWinner) this.proposeMoves(job, to, list, 'awarded');
  }

  private completeJob(job: JobBook, nowMs: Millis): void {
    job.state = 'done';
    job.finishedAtMs = nowMs;
    this.emit({
      type: 'job-done',
      jobId: job.jobId,
      results: job.tasks.map((t) => t.result as string),
    });
    this.closeJob(job);
  }

  private failJob(job: JobBook, code: JobErrorCode, message: string, nowMs: Millis): void {
    if (job.state !== 'running') return;
    job.state = 'failed';
    job.finishedAtMs = nowMs;
    for (const t of job.tasks) if (t.state !== 'done') t.state = 'failed';
    this.emit({ type: 'job-failed', jobId: job.jobId, code, message });
    const owners = new Set(
      job.tasks.map((t) => t.owner).filter((o): o is AgentId => o !== null && o !== this.selfId),
    );
    for (const owner of owners) this.send(owner, { type: 'task-cancel', jobId: job.jobId });
    this.dropWork((item) => item.submitter === this.selfId && item.jobId === job.jobId);
    for (const [auctionId, auction] of this.auctions)
      if (auction.jobId === job.jobId) this.auctions.delete(auctionId);
    if (job.opened) this.closeJob(job);
  }

  private closeJob(job: JobBook): void {
    this.ledger({
      purpose: 'close',
      op: { kind: 'task-close', jobId: job.jobId },
      jobId: job.jobId,
      tries: 0,
    });
    this.finished.push(job.jobId);
    while (this.finished.length > FINISHED_JOBS_KEPT)
      this.jobs.delete(this.finished.shift() as string);
  }

  // ── owner side ───────────────────────────────────────────────────────────────────────────

  private takeTask(task: StolenTask, confirmed: boolean, nowMs: Millis): void {
    const taken = this.work.take(task, confirmed);
    if (taken.kind === 'resend') {
      if (taken.item.confirmed) this.deliver(taken.item, nowMs);
    } else if (taken.kind === 'full') {
      this.sendTo(
        task.submitter,
        {
          type: 'task-result',
          jobId: task.jobId,
          task: task.task,
          epoch: task.epoch,
          ok: false,
          error: 'failed',
          message: `the queue of ${shortId(this.selfId)} is full`,
          ms: 0,
        },
        nowMs,
      );
    }
    if (taken.kind === 'queued') this.loadDirty = true;
  }

  /** Starts queued tasks on idle workers. */
  private pump(): void {
    while (this.work.runningCount < this.config.workers) {
      const runId = this.nextRunId++;
      const item = this.work.start(runId);
      if (item === undefined) return;
      this.effects.push({
        kind: 'run',
        runId,
        taskKind: item.kind,
        input: item.input,
        timeoutMs: item.timeoutMs,
      });
      this.loadDirty = true;
    }
  }

  private deliver(item: WorkItem, nowMs: Millis): void {
    if (item.result !== null) this.sendTo(item.submitter, item.result, nowMs);
  }

  private dropWork(drop: (item: WorkItem) => boolean): void {
    const { cancelledRuns } = this.work.drop(drop);
    for (const runId of cancelledRuns) this.effects.push({ kind: 'cancel', runId });
    this.loadDirty = true;
    this.pump();
  }

  private maybeSteal(nowMs: Millis): void {
    if (this.steal !== null) return;
    const peers: AgentLoad[] = [];
    for (const [agent, load] of this.loads) {
      if (nowMs - load.atMs > LOAD_FRESH_MS) continue;
      peers.push({
        agent,
        queued: load.queued,
        workers: load.workers,
        meanTaskMs: load.meanTaskMs,
      });
    }
    const self: AgentLoad = {
      agent: this.selfId,
      queued: this.work.queued + this.work.runningCount - this.config.workers,
      workers: this.config.workers,
      meanTaskMs: this.meanTaskMs(),
    };
    self.queued = Math.max(0, self.queued);
    const plan = planSteal(self, peers, this.config.steal);
    if (plan === null) return;
    const count = Math.min(plan.count, TASK_MAX_PER_MESSAGE);
    const stealId = this.nextStealId++;
    this.steal = { stealId, victim: plan.victim, plan, sentAtMs: nowMs };
    const victimLoad = this.loads.get(plan.victim);
    if (victimLoad !== undefined) victimLoad.queued = Math.max(0, victimLoad.queued - count);
    this.send(plan.victim, { type: 'steal-ask', stealId, count });
  }

  /** A hot agent pushes queued tasks to a cold one (the receiver takes them as a steal). */
  private maybeRebalance(nowMs: Millis): void {
    const peers = [];
    for (const [agent, load] of this.loads)
      if (nowMs - load.atMs <= LOAD_FRESH_MS) peers.push({ agent, ...load });
    const self = {
      agent: this.selfId,
      utilisation: this.utilisation,
      queued: this.work.queued,
      workers: this.config.workers,
    };
    const { hot, plan } = planRebalance(self, this.hot, peers, this.config.rebalance);
    this.hot = hot;
    if (plan === null) return;
    const given = this.work.giveUp(plan.count, TASK_MESSAGE_MAX_BYTES / 2);
    if (given.length === 0) return;
    this.send(plan.to, { type: 'steal-give', stealId: 0, tasks: given.map(stolenOf) });
    const peer = this.loads.get(plan.to);
    if (peer !== undefined) peer.queued += given.length;
    this.emit({ type: 'rebalance', plan, moved: given.length });
    this.loadDirty = true;
  }

  private stealWorthChecking(): boolean {
    if (this.steal !== null) return false;
    if (this.work.queued >= this.config.steal.lowWaterPerWorker * this.config.workers) return false;
    for (const load of this.loads.values())
      if (load.queued > this.config.steal.highWaterPerWorker * Math.max(1, load.workers))
        return true;
    return false;
  }

  private onStealAsk(thief: AgentId, stealId: number, count: number, nowMs: Millis): void {
    const given = this.work.giveUp(count, TASK_MESSAGE_MAX_BYTES / 2);
    this.send(thief, { type: 'steal-give', stealId, tasks: given.map(stolenOf) });
    if (given.length > 0) {
      this.emit({ type: 'stolen-from', thief, count: given.length });
      this.loadDirty = true;
      this.sendLoad(nowMs);
    }
  }

  private onStealGive(victim: AgentId, stealId: number, tasks: StolenTask[], nowMs: Millis): void {
    const asked = this.steal;
    if (asked !== null && asked.stealId === stealId && asked.victim === victim) {
      this.steal = null;
      this.emit({
        type: 'steal',
        victim,
        asked: asked.plan.count,
        got: tasks.length,
        plan: asked.plan,
        roundTripMs: nowMs - asked.sentAtMs,
      });
    }
    // Taken even when the ask had expired: the victim gave them up and holds them no more.
    const moves = new Map<string, { jobId: string; tasks: [number, number][] }>();
    for (const t of tasks) {
      this.takeTask({ ...t, epoch: t.epoch + 1 }, false, nowMs);
      const key = `${t.submitter}|${t.jobId}`;
      const move = moves.get(key) ?? { jobId: t.jobId, tasks: [] };
      move.tasks.push([t.task, t.epoch]);
      moves.set(key, move);
    }
    for (const move of moves.values()) {
      this.ledger({
        purpose: 'move',
        op: {
          kind: 'task-assign',
          jobId: move.jobId,
          from: victim,
          to: this.selfId,
          tasks: move.tasks,
        },
        jobId: move.jobId,
        tries: 0,
      });
    }
    this.pump();
  }

  /** A steal's move committed (or was refused): confirm the tasks, or give them up. */
  private onMoved(
    pending: Extract<PendingOp, { purpose: 'move' }>,
    result: Extract<TaskTableResult, { kind: 'assigned' }>,
    nowMs: Millis,
  ): void {
    const mine: [number, number][] = [...result.moved];
    const seen = new Map(pending.op.tasks);
    const dropped = new Set<number>();
    for (const refusal of result.refused) {
      if (refusal.owner === this.selfId && refusal.epoch === (seen.get(refusal.task) ?? -2) + 1)
        mine.push([refusal.task, refusal.epoch]);
      else dropped.add(refusal.task);
    }
    let submitter: AgentId | null = null;
    for (const [task, epoch] of mine) {
      const item = this.findItem(pending.jobId, task);
      if (item === undefined || item.epoch !== epoch) continue;
      submitter = item.submitter;
      item.confirmed = true;
      if (item.state === 'finished') this.deliver(item, nowMs);
    }
    if (dropped.size > 0)
      this.dropWork(
        (item) => item.jobId === pending.jobId && dropped.has(item.task) && !item.confirmed,
      );
    if (submitter !== null && mine.length > 0)
      this.sendTo(submitter, { type: 'task-moved', jobId: pending.jobId, tasks: mine }, nowMs);
  }

  private findItem(jobId: string, task: number): WorkItem | undefined {
    for (const item of this.work.all()) if (item.jobId === jobId && item.task === task) return item;
    return undefined;
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  private meanTaskMs(): number {
    if (this.meanMsByKind.size === 0) {
      for (const item of this.work.all()) if (item.state === 'queued') return item.costMs;
      return 0;
    }
    let sum = 0;
    for (const ms of this.meanMsByKind.values()) sum += ms;
    return sum / this.meanMsByKind.size;
  }

  private speedOf(kind: string): number | null {
    const mean = this.meanMsByKind.get(kind);
    return mean === undefined ? null : 1000 / Math.max(0.001, mean);
  }

  /** How long before a new task here could start: the queue over the workers. */
  private queueMs(): number {
    const ahead = Math.max(0, this.work.queued + this.work.runningCount - this.config.workers + 1);
    return (ahead * this.meanTaskMs()) / Math.max(1, this.config.workers);
  }

  private sendLoad(nowMs: Millis): void {
    if (!this.loadDirty || nowMs - this.lastLoadSentMs < this.config.loadEveryMs) return;
    this.loadDirty = false;
    this.lastLoadSentMs = nowMs;
    const load = this.load();
    for (const peer of this.live)
      if (peer !== this.selfId)
        this.send(peer, { type: 'task-load', ...load, utilisation: this.utilisation });
  }

  private stillWanted(op: PendingOp): boolean {
    if (op.purpose === 'move' || op.purpose === 'close') return true;
    return this.jobs.get(op.jobId)?.state === 'running';
  }

  private runningJobs(): number {
    let running = 0;
    for (const job of this.jobs.values()) if (job.state === 'running') running++;
    return running;
  }

  private ledger(op: PendingOp): void {
    const opId = this.nextOpId++;
    this.ops.set(opId, op);
    this.effects.push({ kind: 'ledger', opId, op: op.op });
  }

  private send(to: AgentId, msg: TaskMessage): void {
    this.effects.push({ kind: 'send', to, msg });
  }

  /** To a peer, or handled here when it is this agent's own. */
  private sendTo(to: AgentId, msg: TaskMessage, nowMs: Millis): void {
    if (to === this.selfId) this.handle(to, msg, nowMs);
    else this.send(to, msg);
  }

  private emit(event: TaskEvent): void {
    this.effects.push({ kind: 'event', event });
  }

  private jobEvent(jobId: string, code: JobErrorCode, message: string): TaskNodeEffect {
    return { kind: 'event', event: { type: 'job-failed', jobId, code, message } };
  }

  private take(): TaskNodeEffect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }
}

/** A held task as it travels in a steal (or a rebalancing push). */
function stolenOf(item: WorkItem): StolenTask {
  const { jobId, submitter, kind, task, epoch, input, costMs, timeoutMs } = item;
  return { jobId, submitter, kind, task, epoch, input, costMs, timeoutMs };
}
