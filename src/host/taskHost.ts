import type { AgentId } from '../core/base/ids';
import { TaskNode } from '../core/tasks/taskNode';
import type { TaskTableOp, TaskTableResult } from '../core/tasks/taskTable';
import type {
  JobSpec,
  JobStatus,
  RunOutcome,
  TaskEvent,
  TaskNodeConfig,
  TaskNodeEffect,
} from '../core/tasks/taskTypes';
import { decodeTaskFrame, encodeTaskFrame } from '../core/wire/taskCodec';
import type { Clock, TaskRun, TaskRunner, TimerHandle, Transport } from './ports';

/** The ledger as task distribution uses it: the task table's operations, committed. */
export interface TaskLedgerPort {
  /** Resolves with the table's result; rejects with a `TaskLedgerError`. */
  propose(op: TaskTableOp): Promise<TaskTableResult>;
}

export class TaskLedgerError extends Error {
  constructor(
    message: string,
    /** False when the table itself refused the operation (a repeat would be refused too). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TaskLedgerError';
  }
}

export interface TaskHostOptions {
  selfId: AgentId;
  /** The tasks lane of the agent's links (big frames cut into chunks). */
  transport: Transport;
  clock: Clock;
  runner: TaskRunner;
  ledger: TaskLedgerPort;
  config: TaskNodeConfig;
  onEvent: (event: TaskEvent) => void;
  /** A frame that did not decode (counted, never thrown). */
  onBadFrame?: (peer: AgentId, reason: string) => void;
}

/** A run the node asked for that waits for a free worker place (the pool is starting, say). */
interface WaitingRun {
  runId: number;
  taskKind: string;
  input: string;
  timeoutMs: number;
}

/** How often a run waiting for a worker tries again. */
const WORKER_WAIT_RETRY_MS = 50;

/**
 * Drives one agent's TaskNode with real ports: frames from the tasks lane, runs on the worker
 * pool, the task table through the ledger, wake-ups on the clock. Effects run in the order the
 * node returns them. A chaos slowdown holds each result back by (factor - 1) times its run
 * time, the worker counted busy meanwhile: the agent looks slow to everyone, as a loaded
 * machine would.
 */
export class TaskHost {
  readonly node: TaskNode;
  private readonly runs = new Map<number, TaskRun>();
  private readonly waiting: WaitingRun[] = [];
  private wakeTimer: TimerHandle | null = null;
  private wakeAtMs: number | null = null;
  private waitTimer: TimerHandle | null = null;
  private slowdown = 1;
  private stopped = false;
  /** Frames refused as malformed, for the README's "counted, never crashes". */
  badFrames = 0;

  constructor(private readonly options: TaskHostOptions) {
    this.node = new TaskNode(options.selfId, options.config);
    options.transport.setHandler({
      onLinkUp: () => {},
      onLinkDown: () => {},
      onFrame: (peer, frame) => {
        const decoded = decodeTaskFrame(frame);
        if (!decoded.ok) {
          this.badFrames++;
          this.options.onBadFrame?.(peer, decoded.reason);
          return;
        }
        this.apply(this.node.onMessage(peer, decoded.message, this.now()));
      },
    });
  }

  submit(spec: JobSpec): void {
    this.apply(this.node.submit(spec, this.now()));
  }

  cancel(jobId: string): void {
    this.apply(this.node.cancel(jobId, this.now()));
  }

  /** Looks for a hash job's kept result (the answer is a `result-fetched` event). */
  fetchResult(fetchId: number, jobId: string, task: number): void {
    this.apply(this.node.fetchResult(fetchId, jobId, task, this.now()));
  }

  status(jobId: string): JobStatus | null {
    return this.node.status(jobId);
  }

  setMembers(live: readonly AgentId[]): void {
    this.apply(this.node.setMembers(live, this.now()));
  }

  setUtilisation(utilisation: number): void {
    this.node.setUtilisation(utilisation);
  }

  /** Chaos: this agent's runs take `factor` times as long (1: normal speed). */
  setSlowdown(factor: number): void {
    this.slowdown = Math.max(1, Math.min(100, factor));
  }

  get currentSlowdown(): number {
    return this.slowdown;
  }

  stop(): void {
    if (this.stopped) return;
    this.apply(this.node.stop(this.now()));
    this.stopped = true;
    for (const run of this.runs.values()) run.cancel();
    this.runs.clear();
    this.waiting.length = 0;
    const { clock } = this.options;
    if (this.wakeTimer !== null) clock.clearTimer(this.wakeTimer);
    if (this.waitTimer !== null) clock.clearTimer(this.waitTimer);
  }

  private now(): number {
    return this.options.clock.nowMs();
  }

  private apply(effects: TaskNodeEffect[]): void {
    if (this.stopped) return;
    for (const effect of effects) this.execute(effect);
    this.rearm();
  }

  private execute(effect: TaskNodeEffect): void {
    switch (effect.kind) {
      case 'send': {
        const frame = encodeTaskFrame(effect.msg);
        // The node cuts offers and steals to fit; a result over the limit was refused earlier.
        if (frame !== null) this.options.transport.send(effect.to, frame);
        return;
      }
      case 'ledger':
        this.options.ledger.propose(effect.op).then(
          (result) => this.apply(this.node.onLedger(effect.opId, { ok: true, result }, this.now())),
          (error: unknown) => {
            const retryable = !(error instanceof TaskLedgerError) || error.retryable;
            const reason = error instanceof Error ? error.message : String(error);
            this.apply(
              this.node.onLedger(effect.opId, { ok: false, reason, retryable }, this.now()),
            );
          },
        );
        return;
      case 'run':
        this.waiting.push(effect);
        this.startWaiting();
        return;
      case 'cancel': {
        const at = this.waiting.findIndex((w) => w.runId === effect.runId);
        if (at >= 0) this.waiting.splice(at, 1);
        this.runs.get(effect.runId)?.cancel();
        this.runs.delete(effect.runId);
        return;
      }
      case 'event':
        this.options.onEvent(effect.event);
        return;
    }
  }

  /** Starts waiting runs on free worker places; tries again shortly while workers are still starting. */
  private startWaiting(): void {
    const { runner, clock } = this.options;
    // A slowed agent holds its results back: it starts no more runs than it has workers, as
    // the held ones stand for work still going.
    const bound = this.slowdown > 1 ? runner.workers : runner.workers * runner.runsPerWorker;
    while (this.waiting.length > 0 && runner.freePlaces() > 0 && this.runs.size < bound) {
      const next = this.waiting.shift() as WaitingRun;
      this.start(next);
    }
    if (this.waiting.length > 0 && this.waitTimer === null) {
      this.waitTimer = clock.setTimer(this.now() + WORKER_WAIT_RETRY_MS, () => {
        this.waitTimer = null;
        if (!this.stopped) this.startWaiting();
      });
    }
  }

  private start(request: WaitingRun): void {
    const { runner, clock } = this.options;
    let input: unknown;
    try {
      input = JSON.parse(request.input);
    } catch {
      this.finish(request.runId, { ok: false, code: 'invalid-input', message: 'not JSON', ms: 0 });
      return;
    }
    const run = runner.run({ kind: request.taskKind, input, timeoutMs: request.timeoutMs });
    this.runs.set(request.runId, run);
    void run.done.then((outcome) => {
      if (this.runs.get(request.runId) !== run) return; // cancelled
      // Reported at the slowed time too, so thieves see the queue as slow as it is.
      const slowed = { ...outcome, ms: outcome.ms * this.slowdown };
      const report = () => {
        this.runs.delete(request.runId);
        this.finish(request.runId, runOutcomeOf(slowed));
        this.startWaiting();
      };
      const holdMs = (this.slowdown - 1) * outcome.ms;
      if (holdMs <= 0) return report();
      clock.setTimer(this.now() + holdMs, () => {
        if (!this.stopped && this.runs.get(request.runId) === run) report();
      });
    });
  }

  private finish(runId: number, outcome: RunOutcome): void {
    this.apply(this.node.onRunDone(runId, outcome, this.now()));
  }

  private rearm(): void {
    if (this.stopped) return;
    const { clock } = this.options;
    const next = this.node.nextWakeMs();
    if (next === this.wakeAtMs) return;
    if (this.wakeTimer !== null) clock.clearTimer(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeAtMs = next;
    if (next === null) return;
    this.wakeTimer = clock.setTimer(Math.max(next, this.now()), () => {
      this.wakeTimer = null;
      this.wakeAtMs = null;
      this.apply(this.node.tick(this.now()));
    });
  }
}

/** The pool's outcome as the node takes it: a result as JSON text. */
function runOutcomeOf(outcome: Awaited<TaskRun['done']>): RunOutcome {
  if (!outcome.ok) return outcome;
  const result = JSON.stringify(outcome.result);
  return result === undefined
    ? { ok: false, code: 'failed', message: 'the result is not JSON', ms: outcome.ms }
    : { ok: true, result, ms: outcome.ms };
}
