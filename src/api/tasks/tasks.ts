import type { AgentId } from '../../core/base/ids';
import { DEFAULT_TASK_SETTINGS } from '../../core/tasks/taskDefaults';
import type { Capabilities } from '../../core/tasks/auction';
import { checkJsonPayload } from '../../core/tasks/kinds/jsonPayload';
import { DEFAULT_STEAL_OPTIONS } from '../../core/tasks/stealing';
import { MAX_TASKS_PER_JOB } from '../../core/tasks/taskTable';
import {
  TASK_STRATEGIES,
  type JobStatus,
  type TaskEvent,
  type TaskNodeConfig,
  type TaskStrategy,
} from '../../core/tasks/taskTypes';
import {
  TASK_INPUT_MAX_BYTES,
  TASK_KIND_PATTERN,
  TASK_MAX_PER_MESSAGE,
  TASK_MAX_REQUIREMENTS,
} from '../../core/wire/taskMessages';
import { PollingTimer } from '../../host/pollingTimer';
import type { Clock, TaskRunner, Transport } from '../../host/ports';
import { TaskHost, type TaskLedgerPort } from '../../host/taskHost';
import type { TaskLedgerExtension } from './taskLedger';
import { TaskError } from './taskError';
import { KindSharing } from './kindSharing';
import type { MemoryStore } from '../../crdt/memory/memoryStore';
import { TaskRecorder, type TasksView } from '../../host/taskRecorder';
import type { ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import { CriticalJobs, type CriticalPort } from './criticalJobs';
import { MAX_CRITICAL_TASKS, type FlagRecord } from './criticalTaskKinds';
import { MAX_PENDING_FETCHES } from '../../core/tasks/resultKeeper';

/** A task's result as it was accepted (the dashboard draws the demo's tiles from these). */
export interface AcceptedResult {
  jobId: string;
  task: number;
  owner: AgentId;
  epoch: number;
  result: unknown;
}

/** What `mesh.tasks.submit` takes. */
export interface JobRequest {
  kind: string;
  inputs: unknown[];
  strategy?: TaskStrategy;
  /**
   * Byzantine-checked: every task runs on f+1 distinct agents and its result is accepted through
   * pBFT once they agree (more copies run where they do not); whoever disagreed is flagged.
   * The copies are placed by the ring, whatever `strategy` says.
   */
  critical?: boolean;
  /** Capabilities a bidder must have (auction): tags, `webgpu`, `cores>=N`, `memory>=N`. */
  requires?: string[];
  /** An estimate of one task's run time, ms (default 50): stealing and bids weigh it. */
  costMs?: number;
  /** The job fails `timeout` when not done in this long (default 120 s). */
  timeoutMs?: number;
  /** One run of a task ends `timeout` after this long (default 30 s). */
  taskTimeoutMs?: number;
}

export interface SubmittedJob {
  jobId: string;
  /** Every task's result in input order, once each has exactly one accepted result. */
  done: Promise<unknown[]>;
}

export interface TasksOptions {
  selfId: AgentId;
  transport: Transport;
  clock: Clock;
  runner: TaskRunner;
  capabilities: Capabilities;
  ledger: TaskLedgerPort;
  table: TaskLedgerExtension;
  digestOf: (text: string) => string;
  /**
   * The agents this one reaches now (itself included), and the page's (or process's) own busy
   * share 0-1: its main thread's long tasks, or its CPU time. Read four times a second.
   */
  membership: () => { reached: ReadonlySet<AgentId>; pageUtilisation: number };
  /** Whether this agent leads the Raft group (it closes jobs their submitter left behind). */
  isLedgerLeader: () => boolean;
  /** A module URL as other agents should load it (a page resolves it against its address). */
  resolveUrl: (url: string) => string;
  /** Whether to load a kind's module a peer published from `url`. */
  acceptsKindUrl: (url: string) => boolean;
  /** A line for the agent's event log. */
  log: (level: 'info' | 'warn', kind: string, detail: string) => void;
  /** A random job id suffix (hex). */
  randomHex: () => string;
  emit: (event: TaskEvent) => void;
  /** pBFT, for critical jobs (without it they are refused `unsupported`). */
  critical?: CriticalPort;
  overrides?: Partial<TaskNodeConfig>;
}

/** Jobs an agent runs at once; more are refused `too-many-jobs`. */
export const MAX_JOBS_PER_AGENT = 16;
const DEFAULT_COST_MS = 50;
const DEFAULT_JOB_TIMEOUT_MS = 120_000;
const DEFAULT_TASK_TIMEOUT_MS = 30_000;
const MAX_JOB_TIMEOUT_MS = 3_600_000;
/** How often membership and utilisation are read while this agent has work... */
const POLL_MS = 250;
/** ...and while it has none. */
const IDLE_POLL_MS = 1000;
/** A job whose submitter is out of reach this long is closed by the Raft leader. */
const ORPHAN_AFTER_MS = 60_000;

/**
 * `mesh.tasks`: jobs split into tasks that run in workers across the mesh (core/tasks/README.md).
 * Checks a job before anything is sent, drives the agent's TaskHost with the membership and the
 * worker pool's busy time, keeps the recent decisions for the dashboard, and sweeps the task
 * table of jobs nobody will finish.
 */
export class Tasks {
  readonly host: TaskHost;
  readonly recorder = new TaskRecorder();
  private readonly waiting = new Map<
    string,
    { resolve: (results: unknown[]) => void; reject: (e: Error) => void }
  >();
  private readonly poll: PollingTimer;
  private readonly acceptedListeners = new Set<(accepted: AcceptedResult) => void>();
  private lastBusyMs = 0;
  private lastPollMs = 0;
  private readonly missingSinceMs = new Map<string, number>();
  private sweepAtMs = 0;
  private stopped = false;
  private sharing: KindSharing | null = null;
  private readonly criticalJobs: CriticalJobs | null;
  private readonly fetches = new Map<number, (result: unknown) => void>();
  private nextFetchId = 1;

  constructor(private readonly options: TasksOptions) {
    const config: TaskNodeConfig = {
      ...DEFAULT_TASK_SETTINGS,
      workers: options.runner.workers,
      runsPerWorker: options.runner.runsPerWorker,
      capabilities: options.capabilities,
      digestOf: options.digestOf,
      // Between tabs a steal's round trip is tens of ms, longer than a short task: a thief asks
      // while two tasks per worker are still ahead of it, so it does not run dry waiting, and
      // takes up to a message's worth at once (its measured round trips make it ask less often
      // and for more).
      steal: {
        ...DEFAULT_STEAL_OPTIONS,
        lowWaterPerWorker: 2,
        highWaterPerWorker: 3,
        maxPerSteal: TASK_MAX_PER_MESSAGE,
        transferMs: 1,
      },
      // A tab whose main thread is stalled answers late: once every task has a capable bid, the
      // award does not wait past 40 ms for the rest (the full 150 ms only while none is capable).
      awardAfterMs: 40,
      maxJobs: MAX_JOBS_PER_AGENT,
      ...options.overrides,
    };
    this.host = new TaskHost({
      selfId: options.selfId,
      transport: options.transport,
      clock: options.clock,
      runner: options.runner,
      ledger: options.ledger,
      config,
      onEvent: (event) => this.onEvent(event),
    });
    this.poll = new PollingTimer(options.clock, POLL_MS, () => this.onPoll());
    this.lastPollMs = options.clock.nowMs();
    const { host } = this;
    this.criticalJobs =
      options.critical === undefined
        ? null
        : new CriticalJobs(
            {
              submit: (spec) => host.submit(spec),
              cancel: (jobId) => host.cancel(jobId),
              resultOf: (jobId, task) => host.node.resultOf(jobId, task),
              digestOf: options.digestOf,
            },
            options.critical,
            (jobId, task, owner, text) =>
              this.notifyAccepted({ jobId, task, owner, epoch: 0, result: JSON.parse(text) }),
            options.clock,
          );
  }

  start(): void {
    this.poll.start();
  }

  submit(request: JobRequest): SubmittedJob {
    if (this.stopped) throw new TaskError('stopped', 'this agent has left the mesh');
    const spec = this.specOf(request);
    if (request.critical === true) {
      if (this.criticalJobs === null)
        throw new TaskError('unsupported', 'this agent runs no pBFT for critical jobs');
      return {
        jobId: spec.jobId,
        done: this.criticalJobs.submit(spec, this.options.clock.nowMs()),
      };
    }
    const done = new Promise<unknown[]>((resolve, reject) => {
      this.waiting.set(spec.jobId, { resolve, reject });
    });
    this.host.submit(spec);
    return { jobId: spec.jobId, done };
  }

  status(jobId: string): JobStatus | null {
    return this.criticalJobs?.status(jobId) ?? this.host.status(jobId);
  }

  /**
   * A hash job's accepted result, from this agent or the key's R successors that keep it (any
   * agent may ask, long after the job ended); null when none of them has it.
   */
  result(jobId: string, task: number): Promise<unknown> {
    if (typeof jobId !== 'string' || !Number.isInteger(task) || task < 0)
      return Promise.reject(
        new TaskError('invalid', 'result(jobId, task) takes a job id and a task index'),
      );
    if (this.fetches.size >= MAX_PENDING_FETCHES)
      return Promise.reject(new TaskError('busy', `${MAX_PENDING_FETCHES} fetches wait already`));
    const fetchId = this.nextFetchId++;
    return new Promise((resolve) => {
      this.fetches.set(fetchId, resolve);
      this.host.fetchResult(fetchId, jobId, task);
    });
  }

  /** Agents caught reporting results other than the agreed ones, with the evidence. */
  flagged(): FlagRecord[] {
    return [...(this.options.critical?.flags() ?? [])];
  }

  /** `lie-results` forges every result this agent computes; any other behaviour does not. */
  setBehaviour(behaviour: ByzantineBehaviour): void {
    this.host.node.lying = behaviour === 'lie-results';
  }

  /**
   * Adds a kind from an ES module exporting `run(input, context)` (and maybe `validate`) on this
   * agent, then publishes it so the room's other agents load it too (kindSharing.ts).
   */
  register(kind: string, moduleUrl: string): Promise<void> {
    if (typeof kind !== 'string' || !TASK_KIND_PATTERN.test(kind))
      return Promise.reject(new TaskError('invalid', `kind ${String(kind)} is not a kind name`));
    const url = this.options.resolveUrl(moduleUrl);
    return this.options.runner.register(kind, url).then(() => this.sharing?.publish(kind, url));
  }

  /** Shares registered kinds through the room's memory (once the shared document exists). */
  attachMemory(memory: MemoryStore): void {
    this.sharing = new KindSharing({
      memory,
      runner: this.options.runner,
      accepts: this.options.acceptsKindUrl,
      onLoaded: (kind, url) => this.options.log('info', 'task-kind-loaded', `${kind} from ${url}`),
      onRefused: (kind, url, reason) =>
        this.options.log('warn', 'task-kind-refused', `${kind} from ${url}: ${reason}`),
    });
  }

  kinds(): string[] {
    return this.options.runner.kinds();
  }

  /** Calls `listener` with every result accepted for a job submitted here, from now on. */
  onAccepted(listener: (accepted: AcceptedResult) => void): () => void {
    this.acceptedListeners.add(listener);
    return () => this.acceptedListeners.delete(listener);
  }

  /** Chaos: this agent's runs take `factor` times as long (1: normal). */
  setSlowdown(factor: number): void {
    if (!(typeof factor === 'number' && factor >= 1 && factor <= 100))
      throw new TaskError('invalid', 'a slowdown is a factor from 1 to 100');
    this.host.setSlowdown(factor);
  }

  view(): TasksView {
    const { node } = this.host;
    return this.recorder.view({
      load: node.load(),
      peers: node.peerLoads(),
      slowdown: this.host.currentSlowdown,
      jobs: node.jobIds().map((jobId) => node.status(jobId) as JobStatus),
      flags: this.flagged(),
      keptResults: node.keptResults,
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.poll.stop();
    this.criticalJobs?.stop(this.options.clock.nowMs());
    for (const resolve of this.fetches.values()) resolve(null);
    this.fetches.clear();
    this.sharing?.stop();
    this.host.stop();
    this.options.runner.stop();
    this.stopped = true;
  }

  private specOf(request: JobRequest) {
    if (typeof request !== 'object' || request === null)
      throw new TaskError('invalid', 'a job is an object { kind, inputs, strategy }');
    const { kind, inputs } = request;
    if (typeof kind !== 'string' || !TASK_KIND_PATTERN.test(kind))
      throw new TaskError('invalid', 'kind must be a kind name');
    if (!this.options.runner.kinds().includes(kind))
      throw new TaskError('unknown-kind', `no kind ${kind} here (register it first)`);
    const maxTasks = request.critical === true ? MAX_CRITICAL_TASKS : MAX_TASKS_PER_JOB;
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > maxTasks)
      throw new TaskError(
        'invalid',
        `inputs must be an array of 1 to ${maxTasks}${request.critical === true ? ' (critical)' : ''}`,
      );
    if (request.critical === true && (request.requires ?? []).length > 0)
      throw new TaskError(
        'unsupported',
        'a critical job places its copies by the ring: it takes no requires',
      );
    const texts = inputs.map((input, i) => {
      const problem = checkJsonPayload(input, TASK_INPUT_MAX_BYTES);
      if (problem !== null)
        throw new TaskError(
          problem.code === 'too-large' ? 'too-large' : 'invalid',
          `input ${i}: ${problem.message}`,
        );
      return JSON.stringify(input);
    });
    const strategy = request.strategy ?? 'steal';
    if (!TASK_STRATEGIES.includes(strategy))
      throw new TaskError('invalid', `strategy must be one of ${TASK_STRATEGIES.join(', ')}`);
    const requires = request.requires ?? [];
    if (
      !Array.isArray(requires) ||
      requires.length > TASK_MAX_REQUIREMENTS ||
      requires.some((r) => typeof r !== 'string' || r.length === 0 || r.length > 64)
    )
      throw new TaskError(
        'invalid',
        `requires must list at most ${TASK_MAX_REQUIREMENTS} strings of 1-64 characters`,
      );
    const number = (value: unknown, fallback: number, min: number, max: number, name: string) => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !(value >= min && value <= max))
        throw new TaskError('invalid', `${name} must be a number from ${min} to ${max}`);
      return value;
    };
    return {
      jobId: `job-${this.options.randomHex()}`,
      kind,
      inputs: texts,
      strategy,
      requires: [...requires],
      costMs: number(request.costMs, DEFAULT_COST_MS, 0, 600_000, 'costMs'),
      timeoutMs: number(
        request.timeoutMs,
        DEFAULT_JOB_TIMEOUT_MS,
        1,
        MAX_JOB_TIMEOUT_MS,
        'timeoutMs',
      ),
      runTimeoutMs: number(
        request.taskTimeoutMs,
        DEFAULT_TASK_TIMEOUT_MS,
        1,
        600_000,
        'taskTimeoutMs',
      ),
    };
  }

  private onEvent(event: TaskEvent): void {
    const nowMs = this.options.clock.nowMs();
    this.recorder.onEvent(event, nowMs);
    this.options.emit(event);
    // A critical job's rounds are its own: their results count only once agreed.
    if ('jobId' in event && this.criticalJobs?.owns(event.jobId) === true)
      return this.criticalJobs.onEvent(event, nowMs);
    if (event.type === 'result-fetched') {
      const resolve = this.fetches.get(event.fetchId);
      this.fetches.delete(event.fetchId);
      resolve?.(event.result === null ? null : (JSON.parse(event.result) as unknown));
    } else if (event.type === 'task-accepted' && this.acceptedListeners.size > 0) {
      const text = this.host.node.resultOf(event.jobId, event.task);
      if (text !== null) {
        const { jobId, task, owner, epoch } = event;
        this.notifyAccepted({ jobId, task, owner, epoch, result: JSON.parse(text) as unknown });
      }
    } else if (event.type === 'job-done') {
      const waiting = this.waiting.get(event.jobId);
      this.waiting.delete(event.jobId);
      waiting?.resolve(event.results.map((text) => JSON.parse(text) as unknown));
    } else if (event.type === 'job-failed') {
      const waiting = this.waiting.get(event.jobId);
      this.waiting.delete(event.jobId);
      waiting?.reject(new TaskError(event.code, event.message));
    }
  }

  private notifyAccepted(accepted: AcceptedResult): void {
    for (const listener of this.acceptedListeners) listener(accepted);
  }

  private onPoll(): void {
    const { clock, runner } = this.options;
    const nowMs = clock.nowMs();
    // Idle (no job of its own running, nothing queued or running here): once a second is
    // enough, and the page does not build a membership snapshot four times a second for it.
    const { node } = this.host;
    const load = node.load();
    const idle = this.waiting.size === 0 && load.queued + load.running === 0;
    if (idle && nowMs - this.lastPollMs < IDLE_POLL_MS) return;
    const { reached, pageUtilisation } = this.options.membership();
    this.host.setMembers([...reached]);
    // Utilisation: the workers' busy share of the time since the last poll, or the page's own
    // busy share when that is higher (a tab busy with other work is hot too).
    const busyMs = runner.busyMs();
    const wallMs = Math.max(1, nowMs - this.lastPollMs);
    const workerShare = (busyMs - this.lastBusyMs) / (wallMs * Math.max(1, runner.workers));
    const utilisation = Math.max(workerShare, pageUtilisation);
    this.lastBusyMs = busyMs;
    this.lastPollMs = nowMs;
    this.host.setUtilisation(utilisation);
    this.recorder.sample(
      nowMs,
      Math.min(1, Math.max(0, utilisation)),
      node.load(),
      node.completedRuns,
    );
    if (nowMs >= this.sweepAtMs) {
      this.sweepAtMs = nowMs + 10_000;
      this.sweep(reached, nowMs);
    }
  }

  /**
   * Closes jobs nobody will finish: this agent's own that it no longer runs (it reloaded), and,
   * on the Raft leader, those whose submitter has been out of reach for a minute.
   */
  private sweep(reached: ReadonlySet<AgentId>, nowMs: number): void {
    const { table } = this.options.table;
    const leader = this.options.isLedgerLeader();
    for (const jobId of table.jobIds()) {
      const job = table.job(jobId);
      if (job === undefined) continue;
      const mine = job.submitter === this.options.selfId;
      let close = mine && this.host.status(jobId)?.state !== 'running';
      if (!mine && leader) {
        if (reached.has(job.submitter)) this.missingSinceMs.delete(jobId);
        else {
          const since = this.missingSinceMs.get(jobId) ?? nowMs;
          this.missingSinceMs.set(jobId, since);
          close = nowMs - since >= ORPHAN_AFTER_MS;
        }
      }
      if (close) {
        this.missingSinceMs.delete(jobId);
        this.options.ledger.propose({ kind: 'task-close', jobId }).catch(() => undefined);
      }
    }
  }
}
