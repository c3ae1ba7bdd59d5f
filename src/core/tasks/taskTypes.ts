import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { TaskErrorCode, TaskMessage } from '../wire/taskMessages';
import type { AuctionWeights, Capabilities, ScoredBid } from './auction';
import type { RebalanceOptions, RebalancePlan } from './rebalance';
import type { StealOptions, StealPlan } from './stealing';
import type { TaskTableOp, TaskTableResult } from './taskTable';

/** How a job's tasks find their agents. */
export type TaskStrategy = 'steal' | 'hash' | 'auction';
export const TASK_STRATEGIES: readonly TaskStrategy[] = ['steal', 'hash', 'auction'];

/** A job as the node takes it: every input already JSON text within the limits. */
export interface JobSpec {
  jobId: string;
  kind: string;
  /** One task per input, JSON text. */
  inputs: string[];
  strategy: TaskStrategy;
  requires: string[];
  /** The submitter's estimate of one task's run time, ms (stealing and bids weigh it). */
  costMs: number;
  /** The job fails `timeout` when not done this long after it was submitted. */
  timeoutMs: number;
  /** One task's run on a worker ends `timeout` after this long. */
  runTimeoutMs: number;
  /**
   * The tasks are copies of a critical job's tasks (api/tasks/criticalJobs.ts): `groups[i]`
   * names the task copy i is of. Copies of one task run on distinct agents, never on those in
   * `avoid[i]`, placed by the ring and never stolen or pushed; no agent left for one fails the
   * job `no-capable-agent`.
   */
  copies?: { groups: number[]; avoid: AgentId[][] };
}

export interface TaskNodeConfig {
  /** Workers in this agent's pool. */
  workers: number;
  /**
   * Runs handed to each worker at once (its pool's `runsPerWorker`): with 2, a worker holds its
   * next task. Counted as queued, not running, in the load this agent tells.
   */
  runsPerWorker: number;
  capabilities: Capabilities;
  /** SHA-256 hex of a result's JSON text (the host's; the core has no hash of its own). */
  digestOf: (text: string) => string;
  steal: StealOptions;
  rebalance: RebalanceOptions;
  /** A hot agent looks for a cold one this often. */
  rebalanceEveryMs: Millis;
  auctionWeights: AuctionWeights;
  matchThreshold: number;
  /** An auction awards once every asked agent bid, or this long after the announce. */
  bidWaitMs: Millis;
  /**
   * ...or already this long after it, once every task has a capable bid (a bidder whose page is
   * busy does not hold up the award; one that alone can meet the requirements is waited for).
   */
  awardAfterMs: Millis;
  /** A task assigned but without a result is offered to its owner again this often. */
  reofferMs: Millis;
  /** A task fails for good (and its job with it) after this many failed runs or lost owners. */
  maxAttempts: number;
  /** A ledger operation that failed is tried again this much later. */
  ledgerRetryMs: Millis;
  /** A changed queue is told to the neighbours at most this often. */
  loadEveryMs: Millis;
  /** An idle agent looks for a victim this often. */
  stealEveryMs: Millis;
  /** A steal asked and not answered is given up this much later. */
  stealWaitMs: Millis;
  virtualNodes: number;
  /** A hash job's accepted results are kept on this many successors of each key (R). */
  resultReplicas: number;
  /** A fetch of a kept result waits this long for the successors' answers. */
  fetchWaitMs: Millis;
  /** Jobs this agent submitted and still runs, at most. */
  maxJobs: number;
  /** Finished tasks kept (with their result) to answer an offer repeated after a lost result. */
  finishedKept: number;
}

/** What the host does for the node. */
export type TaskNodeEffect =
  | { kind: 'send'; to: AgentId; msg: TaskMessage }
  | { kind: 'ledger'; opId: number; op: TaskTableOp }
  | { kind: 'run'; runId: number; taskKind: string; input: string; timeoutMs: number }
  | { kind: 'cancel'; runId: number }
  | { kind: 'event'; event: TaskEvent };

/** A ledger operation's outcome as the host reports it. */
export type LedgerOutcome =
  | { ok: true; result: TaskTableResult }
  /**
   * Not applied. `retryable`: the ledger could not be reached or gave no answer in time (the
   * operation is tried again; the task table's rules make a repeat harmless); otherwise the
   * table refused it (a job it does not hold, a full table), and a repeat would be refused too.
   */
  | { ok: false; reason: string; retryable: boolean };

/** A worker run's outcome as the host reports it. */
export type RunOutcome =
  | { ok: true; result: string; ms: number }
  | {
      ok: false;
      code: TaskErrorCode | 'cancelled' | 'busy' | 'stopped';
      message: string;
      ms: number;
    };

/** What happened, for the API (a job's end) and the dashboard (why it happened). */
export type TaskEvent =
  | { type: 'job-done'; jobId: string; results: string[] }
  /** A fetch of a kept result ended: the result, or null when no successor had it. */
  | { type: 'result-fetched'; fetchId: number; jobId: string; task: number; result: string | null }
  | { type: 'job-failed'; jobId: string; code: JobErrorCode; message: string }
  | {
      type: 'task-accepted';
      jobId: string;
      task: number;
      owner: AgentId;
      epoch: number;
      ms: number;
    }
  | {
      type: 'task-reassigned';
      jobId: string;
      tasks: number[];
      from: AgentId | null;
      to: AgentId;
      reason: string;
    }
  | {
      type: 'task-error';
      jobId: string;
      task: number;
      owner: AgentId;
      code: string;
      message: string;
    }
  | {
      type: 'steal';
      victim: AgentId;
      asked: number;
      got: number;
      plan: StealPlan;
      roundTripMs: number;
    }
  | { type: 'stolen-from'; thief: AgentId; count: number }
  | { type: 'rebalance'; plan: RebalancePlan; moved: number }
  | {
      type: 'award';
      jobId: string;
      auctionId: number;
      /** Tasks each winner took. */
      winners: { agent: AgentId; tasks: number }[];
      /** The first task's scored bids, best first: the numbers that decided it. */
      scored: ScoredBid[];
      bids: number;
      waitedMs: number;
    }
  | { type: 'bad-message'; from: AgentId; detail: string };

export type JobErrorCode =
  | 'task-failed'
  | 'no-capable-agent'
  | 'timeout'
  | 'invalid'
  | 'too-many-jobs'
  | 'ledger-refused'
  | 'stopped';

/** One task as `mesh.tasks.status` shows it. */
export interface TaskStatus {
  task: number;
  state: 'opening' | 'unassigned' | 'assigned' | 'accepting' | 'done' | 'failed';
  owner: AgentId | null;
  epoch: number;
  attempts: number;
  lastError: string | null;
}

export interface JobStatus {
  jobId: string;
  kind: string;
  strategy: TaskStrategy;
  state: 'running' | 'done' | 'failed';
  tasks: TaskStatus[];
  done: number;
  submittedAtMs: Millis;
  finishedAtMs: Millis | null;
}
