import { forgeResult } from './forgedResults';
import { shortId, type AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import {
  TASK_MAX_PER_MESSAGE,
  TASK_MESSAGE_MAX_BYTES,
  type StolenTask,
} from '../wire/taskMessages';
import type { BidFacts } from './auctionBook';
import type { MoveOp, NodeContext } from './nodeContext';
import { planRebalance } from './rebalance';
import { MAX_QUEUED_TASKS, planSteal, type AgentLoad, type StealPlan } from './stealing';
import type { TaskTableResult } from './taskTable';
import type { RunOutcome } from './taskTypes';
import { WorkQueue, type WorkItem } from './workQueue';

/** A peer's load older than this is not stolen from or pushed to. */
const LOAD_FRESH_MS = 10_000;

/**
 * The owner's side of a TaskNode: the tasks this agent runs. A work-stealing queue feeds its
 * workers; it answers repeated offers from what it holds, steals from loaded neighbours and
 * gives to thieves, pushes work away while it is hot, and tells its neighbours its load.
 */
export class WorkSide {
  readonly work: WorkQueue;
  private steal: { stealId: number; victim: AgentId; plan: StealPlan; sentAtMs: Millis } | null =
    null;
  private nextRunId = 1;
  private nextStealId = 1;
  /** The round trip of this agent's steals, a moving mean (0 before the first), ms. */
  private stealRoundTripMs = 0;
  private loadDirty = true;
  private lastLoadSentMs = -Infinity;
  private nextStealCheckMs = 0;
  private hot = false;
  private nextRebalanceMs = 0;
  private readonly meanMsByKind = new Map<string, number>();
  private runsFinished = 0;

  constructor(private readonly ctx: NodeContext) {
    this.work = new WorkQueue(MAX_QUEUED_TASKS, ctx.config.finishedKept);
  }

  /** A new neighbour should hear this agent's load. */
  markLoadChanged(): void {
    this.loadDirty = true;
  }

  /** Tasks offered by their submitter. */
  onOffer(
    from: AgentId,
    msg: { jobId: string; kind: string; tasks: Omit<StolenTask, 'jobId' | 'submitter' | 'kind'>[] },
    nowMs: Millis,
  ): void {
    for (const t of msg.tasks)
      this.takeTask({ ...t, jobId: msg.jobId, submitter: from, kind: msg.kind }, true, nowMs);
    this.pump();
  }

  /** A job ended at its submitter: what is left of it here is dropped. */
  onCancel(from: AgentId, jobId: string): void {
    this.dropWork((item) => item.submitter === from && item.jobId === jobId);
  }

  /** Work for a submitter that is gone has nobody to report to. */
  onMembers(alive: ReadonlySet<AgentId>): void {
    this.dropWork((item) => !alive.has(item.submitter));
  }

  bidFacts(kind: string): BidFacts {
    const { capabilities, workers } = this.ctx.config;
    return {
      capabilities: { ...capabilities, tags: [...capabilities.tags] },
      utilisation: this.ctx.utilisation,
      speed: this.speedOf(kind),
      queueMs: this.queueMs(),
      workers,
    };
  }

  tick(nowMs: Millis): void {
    const { config } = this.ctx;
    if (this.steal !== null && nowMs - this.steal.sentAtMs >= config.stealWaitMs) this.steal = null;
    if (nowMs >= this.nextStealCheckMs) {
      this.nextStealCheckMs = nowMs + config.stealEveryMs;
      this.maybeSteal(nowMs);
    }
    if (nowMs >= this.nextRebalanceMs) {
      this.nextRebalanceMs = nowMs + config.rebalanceEveryMs;
      this.maybeRebalance(nowMs);
    }
    this.sendLoad(nowMs);
  }

  wakeTimes(at: (ms: Millis) => void): void {
    const { config } = this.ctx;
    if (this.steal !== null) at(this.steal.sentAtMs + config.stealWaitMs);
    if (this.stealWorthChecking()) at(this.nextStealCheckMs);
    if (this.work.queued > config.workers && this.ctx.utilisation >= config.rebalance.coolBelow)
      at(this.nextRebalanceMs);
    if (this.loadDirty) at(this.lastLoadSentMs + config.loadEveryMs);
  }

  invariants(): void {
    this.work.invariants(this.ctx.config.workers);
  }

  /** What this agent's queue holds, for the neighbours, the load summary and the dashboard. */
  load(): { queued: number; running: number; workers: number; meanTaskMs: number } {
    // Runs waiting inside a worker behind its running one count as queued.
    const { workers } = this.ctx.config;
    const running = Math.min(this.work.runningCount, workers);
    return {
      queued: this.work.queued + this.work.runningCount - running,
      running,
      workers,
      meanTaskMs: this.meanTaskMs(),
    };
  }

  /** Runs this agent finished since it started (the dashboard's task rate). */
  get completedRuns(): number {
    return this.runsFinished;
  }

  private takeTask(task: StolenTask, confirmed: boolean, nowMs: Millis): void {
    const taken = this.work.take(task, confirmed);
    if (taken.kind === 'resend') {
      if (taken.item.confirmed) this.deliver(taken.item, nowMs);
    } else if (taken.kind === 'full') {
      this.ctx.sendTo(
        task.submitter,
        {
          type: 'task-result',
          jobId: task.jobId,
          task: task.task,
          epoch: task.epoch,
          ok: false,
          error: 'failed',
          message: `the queue of ${shortId(this.ctx.selfId)} is full`,
          ms: 0,
        },
        nowMs,
      );
    }
    if (taken.kind === 'queued') this.loadDirty = true;
  }

  /** Hands queued tasks to the workers: each runs one and holds `runsPerWorker - 1` more. */
  private pump(): void {
    const { workers, runsPerWorker } = this.ctx.config;
    while (this.work.runningCount < workers * runsPerWorker) {
      const runId = this.nextRunId++;
      const item = this.work.start(runId);
      if (item === undefined) return;
      this.ctx.effect({
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
    if (item.result !== null) this.ctx.sendTo(item.submitter, item.result, nowMs);
  }

  dropWork(drop: (item: WorkItem) => boolean): void {
    const { cancelledRuns } = this.work.drop(drop);
    for (const runId of cancelledRuns) this.ctx.effect({ kind: 'cancel', runId });
    this.loadDirty = true;
    this.pump();
  }

  private maybeSteal(nowMs: Millis): void {
    if (this.steal !== null) return;
    const peers: AgentLoad[] = [];
    for (const [agent, load] of this.ctx.loads) {
      if (nowMs - load.atMs > LOAD_FRESH_MS) continue;
      peers.push({
        agent,
        queued: load.queued,
        workers: load.workers,
        meanTaskMs: load.meanTaskMs,
      });
    }
    const self: AgentLoad = {
      agent: this.ctx.selfId,
      queued: this.work.queued + this.work.runningCount - this.ctx.config.workers,
      workers: this.ctx.config.workers,
      meanTaskMs: this.meanTaskMs(),
    };
    self.queued = Math.max(0, self.queued);
    const options = this.ctx.config.steal;
    const plan = planSteal(self, peers, {
      ...options,
      roundTripMs: Math.max(options.roundTripMs, this.stealRoundTripMs),
    });
    if (plan === null) return;
    const count = Math.min(plan.count, TASK_MAX_PER_MESSAGE);
    const stealId = this.nextStealId++;
    this.steal = { stealId, victim: plan.victim, plan, sentAtMs: nowMs };
    const victimLoad = this.ctx.loads.get(plan.victim);
    if (victimLoad !== undefined) victimLoad.queued = Math.max(0, victimLoad.queued - count);
    this.ctx.send(plan.victim, { type: 'steal-ask', stealId, count });
  }

  /** A hot agent pushes queued tasks to a cold one (the receiver takes them as a steal). */
  private maybeRebalance(nowMs: Millis): void {
    const peers = [];
    for (const [agent, load] of this.ctx.loads)
      if (nowMs - load.atMs <= LOAD_FRESH_MS) peers.push({ agent, ...load });
    const self = {
      agent: this.ctx.selfId,
      utilisation: this.ctx.utilisation,
      queued: this.work.queued,
      workers: this.ctx.config.workers,
    };
    const { hot, plan } = planRebalance(self, this.hot, peers, this.ctx.config.rebalance);
    this.hot = hot;
    if (plan === null) return;
    const given = this.work.giveUp(plan.count, TASK_MESSAGE_MAX_BYTES / 2);
    if (given.length === 0) return;
    this.ctx.send(plan.to, { type: 'steal-give', stealId: 0, tasks: given.map(stolenOf) });
    const peer = this.ctx.loads.get(plan.to);
    if (peer !== undefined) peer.queued += given.length;
    this.ctx.emit({ type: 'rebalance', plan, moved: given.length });
    this.loadDirty = true;
  }

  private stealWorthChecking(): boolean {
    if (this.steal !== null) return false;
    if (this.work.queued >= this.ctx.config.steal.lowWaterPerWorker * this.ctx.config.workers)
      return false;
    for (const load of this.ctx.loads.values())
      if (load.queued > this.ctx.config.steal.highWaterPerWorker * Math.max(1, load.workers))
        return true;
    return false;
  }

  onStealAsk(thief: AgentId, stealId: number, count: number, nowMs: Millis): void {
    const given = this.work.giveUp(count, TASK_MESSAGE_MAX_BYTES / 2);
    this.ctx.send(thief, { type: 'steal-give', stealId, tasks: given.map(stolenOf) });
    if (given.length > 0) {
      this.ctx.emit({ type: 'stolen-from', thief, count: given.length });
      this.loadDirty = true;
      this.sendLoad(nowMs);
    }
  }

  onStealGive(victim: AgentId, stealId: number, tasks: StolenTask[], nowMs: Millis): void {
    const asked = this.steal;
    if (asked !== null && asked.stealId === stealId && asked.victim === victim) {
      this.steal = null;
      const roundTripMs = nowMs - asked.sentAtMs;
      // A moving mean, so one slow answer does not decide the next steal alone.
      this.stealRoundTripMs =
        this.stealRoundTripMs === 0 ? roundTripMs : this.stealRoundTripMs * 0.7 + roundTripMs * 0.3;
      this.ctx.emit({
        type: 'steal',
        victim,
        asked: asked.plan.count,
        got: tasks.length,
        plan: asked.plan,
        roundTripMs,
      });
    }
    // Taken even when the ask had expired: the victim gave them up and holds them no more.
    const moves = new Map<
      string,
      { jobId: string; submitter: AgentId; tasks: [number, number][] }
    >();
    for (const t of tasks) {
      this.takeTask({ ...t, epoch: t.epoch + 1 }, false, nowMs);
      const key = `${t.submitter}|${t.jobId}`;
      const move = moves.get(key) ?? { jobId: t.jobId, submitter: t.submitter, tasks: [] };
      move.tasks.push([t.task, t.epoch]);
      moves.set(key, move);
    }
    for (const move of moves.values()) {
      this.ctx.ledger({
        purpose: 'move',
        op: {
          kind: 'task-assign',
          jobId: move.jobId,
          from: victim,
          to: this.ctx.selfId,
          tasks: move.tasks,
        },
        jobId: move.jobId,
        submitter: move.submitter,
        tries: 0,
      });
    }
    this.pump();
  }

  /** A steal's move committed (or was refused): confirm the tasks, or give them up. */
  onMoved(
    pending: MoveOp,
    result: Extract<TaskTableResult, { kind: 'assigned' }>,
    nowMs: Millis,
  ): void {
    const mine: [number, number][] = [...result.moved];
    const seen = new Map(pending.op.tasks);
    const dropped = new Set<number>();
    for (const refusal of result.refused) {
      if (refusal.owner === this.ctx.selfId && refusal.epoch === (seen.get(refusal.task) ?? -2) + 1)
        mine.push([refusal.task, refusal.epoch]);
      else dropped.add(refusal.task);
    }
    let confirmedAny = false;
    for (const [task, epoch] of mine) {
      const item = this.work.get(pending.submitter, pending.jobId, task);
      if (item === undefined || item.epoch !== epoch) continue;
      confirmedAny = true;
      item.confirmed = true;
      if (item.state === 'finished') this.deliver(item, nowMs);
    }
    if (dropped.size > 0)
      this.dropWork(
        (item) => item.jobId === pending.jobId && dropped.has(item.task) && !item.confirmed,
      );
    if (confirmedAny)
      this.ctx.sendTo(
        pending.submitter,
        { type: 'task-moved', jobId: pending.jobId, tasks: mine },
        nowMs,
      );
  }

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
    const ahead = Math.max(
      0,
      this.work.queued + this.work.runningCount - this.ctx.config.workers + 1,
    );
    return (ahead * this.meanTaskMs()) / Math.max(1, this.ctx.config.workers);
  }

  private sendLoad(nowMs: Millis): void {
    if (!this.loadDirty || nowMs - this.lastLoadSentMs < this.ctx.config.loadEveryMs) return;
    this.loadDirty = false;
    this.lastLoadSentMs = nowMs;
    // What thieves and pushes decide from: the queue they could take (pinned copies stay).
    const load = { ...this.load(), queued: this.work.stealable };
    for (const peer of this.ctx.live)
      if (peer !== this.ctx.selfId)
        this.ctx.send(peer, { type: 'task-load', ...load, utilisation: this.ctx.utilisation });
  }

  onRunDone(runId: number, outcome: RunOutcome, nowMs: Millis): void {
    const item = this.work.finish(runId, null);
    if (item === undefined) return;
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
          result: this.ctx.lying ? forgeResult(outcome.result) : outcome.result,
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
  }
}

/** A held task as it travels in a steal (or a rebalancing push). */
function stolenOf(item: WorkItem): StolenTask {
  const { jobId, submitter, kind, task, epoch, input, costMs, timeoutMs } = item;
  return { jobId, submitter, kind, task, epoch, input, costMs, timeoutMs };
}
