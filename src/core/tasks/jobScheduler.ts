import { shortId, type AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { OfferedTask, TaskMessage } from '../wire/taskMessages';
import { planAwards, type Auction, type AuctionedTask, type BidFacts } from './auctionBook';
import { HashRing } from './hashRing';
import { JobBook, type TrackedTask } from './jobBook';
import type { NodeContext, SchedulerOp } from './nodeContext';
import { offerBatches } from './offerBatches';
import { MAX_RESULTS_PER_OP, MAX_TASKS_PER_OP, type TaskTableResult } from './taskTable';
import type { JobErrorCode, JobSpec, JobStatus } from './taskTypes';

/** Accept operations in flight per job at most. */
const MAX_ACCEPTS_IN_FLIGHT = 4;
/** Finished jobs kept for `status`. */
const FINISHED_JOBS_KEPT = 32;
/** Agents asked to bid in one auction at most (the smallest ids after this one). */
const MAX_BIDDERS = 63;

/**
 * The submitter's side of a TaskNode: the jobs this agent submitted. Places each task by the
 * job's strategy, offers it to its owner (again while no result comes), accepts results
 * through the task table, moves what a lost or failing owner held, and ends the job once every
 * task has one accepted result (core/tasks/README.md, "A job's life").
 */
export class JobScheduler {
  private readonly jobs = new Map<string, JobBook>();
  private readonly finished: string[] = [];
  private readonly auctions = new Map<number, Auction>();
  private nextAuctionId = 1;
  /** The time of the last tick (an auction's award time is checked at ticks). */
  private lastTickMs = -Infinity;

  constructor(private readonly ctx: NodeContext) {}

  submit(spec: JobSpec, nowMs: Millis): void {
    const fail = (code: JobErrorCode, message: string) =>
      this.ctx.emit({ type: 'job-failed', jobId: spec.jobId, code, message });
    if (this.jobs.has(spec.jobId)) return fail('invalid', `job ${spec.jobId} exists already`);
    if (this.runningJobs() >= this.ctx.config.maxJobs)
      return fail('too-many-jobs', `${this.ctx.config.maxJobs} jobs run here already`);
    const job = new JobBook(spec, nowMs);
    this.jobs.set(spec.jobId, job);
    this.ctx.ledger({
      purpose: 'open',
      op: {
        kind: 'task-open',
        jobId: spec.jobId,
        submitter: this.ctx.selfId,
        tasks: spec.inputs.length,
      },
      jobId: spec.jobId,
      tries: 0,
    });
  }

  /** Gives up a job (its caller abandoned it, or the agent stops). */
  cancel(jobId: string, nowMs: Millis, reason = 'cancelled'): void {
    const job = this.jobs.get(jobId);
    if (job !== undefined && job.state === 'running') this.failJob(job, 'stopped', reason, nowMs);
  }

  /** The membership changed: tasks of owners out of reach move, auctions stop waiting for them. */
  onMembers(alive: ReadonlySet<AgentId>, nowMs: Millis): void {
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
  }

  /** A thief moved tasks of a job submitted here: they are its now. */
  onTaskMoved(from: AgentId, jobId: string, tasks: [number, number][], nowMs: Millis): void {
    const job = this.jobs.get(jobId);
    if (job === undefined) return;
    for (const [task, epoch] of tasks)
      if (task < job.tasks.length) job.assigned(task, from, epoch, nowMs);
  }

  onBid(from: AgentId, auctionId: number, facts: BidFacts, nowMs: Millis): void {
    const auction = this.auctions.get(auctionId);
    if (auction === undefined || !auction.waiting.delete(from)) return;
    auction.bids.set(from, facts);
    if (
      auction.waiting.size === 0 ||
      (nowMs >= auction.awardByMs && this.everyTaskHasABid(auction))
    )
      this.award(auction, nowMs);
  }

  tick(nowMs: Millis): void {
    this.lastTickMs = nowMs;
    for (const auction of [...this.auctions.values()])
      if (
        auction.deadlineMs <= nowMs ||
        (auction.awardByMs <= nowMs && this.everyTaskHasABid(auction))
      )
        this.award(auction, nowMs);
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
  }

  /** Whether the bids in would give every task of `auction` a capable winner. */
  private everyTaskHasABid(auction: Auction): boolean {
    const plan = planAwards(auction, {
      weights: this.ctx.config.auctionWeights,
      matchThreshold: this.ctx.config.matchThreshold,
    });
    return plan.winners.every((winner) => winner !== null);
  }

  /** Calls `at` with every time this side needs a tick. */
  wakeTimes(at: (ms: Millis) => void): void {
    for (const auction of this.auctions.values()) {
      // Past its award time with a task still lacking a bid, it waits for the deadline.
      if (auction.awardByMs > this.lastTickMs) at(auction.awardByMs);
      at(auction.deadlineMs);
    }
    for (const job of this.jobs.values()) {
      if (job.state !== 'running') continue;
      at(job.submittedAtMs + job.spec.timeoutMs);
      for (const t of job.tasks)
        if (this.awaitingResult(t)) at(t.offeredAtMs + this.ctx.config.reofferMs);
    }
  }

  invariants(): void {
    for (const job of this.jobs.values()) job.invariants();
    if (this.runningJobs() > this.ctx.config.maxJobs) throw new Error('too many jobs');
  }

  /** Every running job fails `stopped`. */
  stop(nowMs: Millis): void {
    for (const job of this.jobs.values())
      if (job.state === 'running')
        this.failJob(job, 'stopped', 'this agent has left the mesh', nowMs);
  }

  status(jobId: string): JobStatus | null {
    return this.jobs.get(jobId)?.status() ?? null;
  }

  /** A task's accepted result (JSON text), or null while it has none. */
  resultOf(jobId: string, task: number): string | null {
    return this.jobs.get(jobId)?.tasks[task]?.result ?? null;
  }

  /** Jobs submitted here that `status` can show, oldest first. */
  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  onLedgerApplied(pending: SchedulerOp, result: TaskTableResult, nowMs: Millis): void {
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
    }
  }

  onLedgerRefused(pending: SchedulerOp, reason: string, nowMs: Millis): void {
    const job = this.jobs.get(pending.jobId);
    if (pending.purpose === 'open' && job !== undefined && job.state === 'running') {
      // A retried open that had landed the first time is refused as open already: it is ours.
      if (pending.tries > 0 && /open already/.test(reason)) {
        return this.onLedgerApplied(pending, { kind: 'opened' }, nowMs);
      }
      return this.failJob(job, 'ledger-refused', reason, nowMs);
    }
    if (job !== undefined && job.state === 'running') {
      if (pending.purpose === 'accept') job.accepting--;
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
      if (owner === null && job.spec.copies !== undefined)
        return this.failJob(
          job,
          'no-capable-agent',
          `no agent left for copy ${t.task} (its task's other copies hold the rest)`,
          nowMs,
        );
      if (owner === null)
        return this.failJob(job, 'task-failed', this.exhausted(job, t.task), nowMs);
      (job.tasks[t.task] as TrackedTask).target = owner;
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
    const excluded = job.excludedFor(task);
    const able = this.ctx.live.filter((id) => !t.cannotRunOn.includes(id) && !excluded.has(id));
    const fresh = able.filter((id) => !t.failedOn.includes(id));
    const candidates = fresh.length > 0 ? fresh : able;
    if (candidates.length === 0) return null;
    // Work stealing starts every task here; the idle agents come and take their share.
    if (job.spec.strategy === 'steal')
      return candidates.includes(this.ctx.selfId) ? this.ctx.selfId : (candidates[0] as AgentId);
    return new HashRing(candidates, this.ctx.config.virtualNodes).ownerOf(`${job.jobId}/${task}`);
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
        this.ctx.ledger({
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
    pending: Extract<SchedulerOp, { purpose: 'assign' }>,
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
      // Accepted, or its result is here already and waits for the ledger: nothing to move.
      if (refusal.accepted || t.state === 'done' || t.pending !== null) continue;
      t.state = refusal.owner === null ? 'unassigned' : 'assigned';
      if (refusal.owner === null || !this.ctx.live.includes(refusal.owner))
        again.push({ task: refusal.task, from: refusal.owner, epoch: refusal.epoch });
      else t.offeredAtMs = -Infinity; // someone else moved it (a steal): ask them for it
    }
    if (moved.length > 0) {
      if (pending.reason !== 'submitted')
        this.ctx.emit({
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
        ...(job.spec.copies === undefined ? {} : { pinned: true as const }),
      });
    }
    // To this agent too: its own queue takes the offer as any owner's would.
    for (const batch of offerBatches(offered))
      this.ctx.sendTo(
        owner,
        { type: 'task-offer', jobId: job.jobId, kind: job.spec.kind, tasks: batch },
        nowMs,
      );
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
      if (!this.ctx.live.includes(owner)) {
        lost.push(task);
        continue;
      }
      if (nowMs - t.offeredAtMs < this.ctx.config.reofferMs) continue;
      const list = due.get(owner) ?? [];
      list.push(task);
      due.set(owner, list);
    }
    for (const [owner, tasks] of due) this.offer(job, owner, tasks, nowMs);
    if (lost.length > 0) this.reassign(job, lost, 'its owner is unreachable', nowMs);
  }

  onResult(from: AgentId, msg: Extract<TaskMessage, { type: 'task-result' }>, nowMs: Millis): void {
    const job = this.jobs.get(msg.jobId);
    if (job === undefined || job.state !== 'running') return;
    const t = job.tasks[msg.task];
    if (t === undefined)
      return this.ctx.emit({
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
        digest: this.ctx.config.digestOf(msg.result),
        ms: msg.ms,
        sent: false,
      };
      t.state = 'accepting';
      return this.flushAccepts(job);
    }
    this.ctx.emit({
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

  /**
   * Results waiting for the ledger go in operations of one owner's results each, up to
   * MAX_ACCEPTS_IN_FLIGHT at once per job: the ledger's group commit joins them into one
   * round, so results do not queue behind one operation's round trip.
   */
  private flushAccepts(job: JobBook): void {
    while (job.accepting < MAX_ACCEPTS_IN_FLIGHT && job.state === 'running') {
      let owner: AgentId | null = null;
      const results: [number, number, string][] = [];
      for (const [task, t] of job.tasks.entries()) {
        if (t.state !== 'accepting' || t.pending === null || t.pending.sent) continue;
        owner ??= t.pending.owner;
        if (t.pending.owner !== owner) continue;
        t.pending.sent = true;
        results.push([task, t.pending.epoch, t.pending.digest]);
        if (results.length >= MAX_RESULTS_PER_OP) break;
      }
      if (owner === null) return;
      job.accepting++;
      this.ctx.ledger({
        purpose: 'accept',
        op: { kind: 'task-accept', jobId: job.jobId, owner, results },
        jobId: job.jobId,
        tries: 0,
      });
    }
  }

  private onAccepted(
    job: JobBook,
    result: Extract<TaskTableResult, { kind: 'accepted' }>,
    nowMs: Millis,
  ): void {
    job.accepting--;
    if (job.state !== 'running') return;
    const accepted = [...result.accepted];
    for (const task of result.accepted) this.acceptTask(job, task);
    const lost: AuctionedTask[] = [];
    for (const refusal of result.refused) {
      const t = job.tasks[refusal.task] as TrackedTask;
      if (t.pending !== null && refusal.accepted && refusal.digest === t.pending.digest) {
        this.acceptTask(job, refusal.task); // an earlier try of this accept landed
        accepted.push(refusal.task);
        continue;
      }
      // A stale owner's result: the task lives elsewhere now.
      t.pending = null;
      t.state = refusal.owner === null ? 'unassigned' : 'assigned';
      job.learned(refusal);
      t.offeredAtMs = -Infinity;
      if (refusal.owner === null || !this.ctx.live.includes(refusal.owner))
        lost.push({ task: refusal.task, from: refusal.owner, epoch: refusal.epoch });
    }
    // A hash job's results live on their keys' successors too (core/tasks/resultReplicas.ts).
    if (job.spec.strategy === 'hash' && job.spec.copies === undefined && accepted.length > 0)
      this.ctx.keepResults(
        job.jobId,
        accepted.map((task) => ({ task, result: job.tasks[task]?.result as string })),
        nowMs,
      );
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
    this.ctx.emit({
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
      if (t.attempts > this.ctx.config.maxAttempts)
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
    const bidders = this.ctx.live.filter((id) => id !== this.ctx.selfId).slice(0, MAX_BIDDERS);
    const auction: Auction = {
      auctionId,
      jobId: job.jobId,
      requires: job.spec.requires,
      costMs: job.spec.costMs,
      tasks,
      waiting: new Set(bidders),
      bids: new Map([[this.ctx.selfId, this.ctx.bidFacts(job.spec.kind)]]),
      announcedAtMs: nowMs,
      awardByMs: nowMs + Math.min(this.ctx.config.awardAfterMs, this.ctx.config.bidWaitMs),
      deadlineMs: nowMs + this.ctx.config.bidWaitMs,
    };
    for (const [, t] of tasks.entries()) (job.tasks[t.task] as TrackedTask).moving = true;
    this.auctions.set(auctionId, auction);
    for (const bidder of bidders)
      this.ctx.send(bidder, {
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
      weights: this.ctx.config.auctionWeights,
      matchThreshold: this.ctx.config.matchThreshold,
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
          `no agent of ${asked} bidding meets ${JSON.stringify(job.spec.requires)} (match threshold ${this.ctx.config.matchThreshold})`,
          nowMs,
        );
      }
      const list = byWinner.get(winner) ?? [];
      list.push(t);
      byWinner.set(winner, list);
    }
    this.ctx.emit({
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
    this.ctx.emit({
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
    this.ctx.emit({ type: 'job-failed', jobId: job.jobId, code, message });
    const owners = new Set(
      job.tasks
        .map((t) => t.owner)
        .filter((o): o is AgentId => o !== null && o !== this.ctx.selfId),
    );
    for (const owner of owners) this.ctx.send(owner, { type: 'task-cancel', jobId: job.jobId });
    this.ctx.dropWork((item) => item.submitter === this.ctx.selfId && item.jobId === job.jobId);
    for (const [auctionId, auction] of this.auctions)
      if (auction.jobId === job.jobId) this.auctions.delete(auctionId);
    if (job.opened) this.closeJob(job);
  }

  private closeJob(job: JobBook): void {
    this.ctx.ledger({
      purpose: 'close',
      op: { kind: 'task-close', jobId: job.jobId },
      jobId: job.jobId,
      tries: 0,
    });
    this.finished.push(job.jobId);
    while (this.finished.length > FINISHED_JOBS_KEPT)
      this.jobs.delete(this.finished.shift() as string);
  }

  stillWanted(op: SchedulerOp): boolean {
    if (op.purpose === 'close') return true;
    return this.jobs.get(op.jobId)?.state === 'running';
  }

  runningJobs(): number {
    let running = 0;
    for (const job of this.jobs.values()) if (job.state === 'running') running++;
    return running;
  }
}
