import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { StoredTaskResult, TaskMessage } from '../wire/taskMessages';
import type { BidFacts } from './auctionBook';
import type { TaskTableOp } from './taskTable';
import type { TaskEvent, TaskNodeConfig, TaskNodeEffect } from './taskTypes';
import type { WorkItem } from './workQueue';

/** A neighbour's queue as it last told it (`task-load`). */
export interface PeerLoad {
  queued: number;
  running: number;
  workers: number;
  meanTaskMs: number;
  utilisation: number;
  atMs: Millis;
}

/** A steal's move: the thief's own ledger operation. */
export interface MoveOp {
  purpose: 'move';
  op: Extract<TaskTableOp, { kind: 'task-assign' }>;
  jobId: string;
  /** Whose job it is (the moved tasks are held under it here). */
  submitter: AgentId;
  tries: number;
}

/** The submitter's ledger operations. */
export type SchedulerOp =
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
    };

export type PendingOp = SchedulerOp | MoveOp;

/**
 * What the two sides of a TaskNode (the jobs it submitted, the tasks it runs) share: the
 * agent's identity, settings and view of its neighbours, and the ways out (messages, ledger
 * operations, effects, events). TaskNode implements it.
 */
export interface NodeContext {
  readonly selfId: AgentId;
  readonly config: TaskNodeConfig;
  /** The agents this one reaches, itself included, sorted. */
  readonly live: readonly AgentId[];
  readonly loads: Map<AgentId, PeerLoad>;
  /** The CPU utilisation the host measured, 0-1. */
  readonly utilisation: number;
  /** Forges every result it computes (core/tasks/forgedResults.ts). */
  readonly lying: boolean;
  send(to: AgentId, msg: TaskMessage): void;
  /** To a peer, or handled at once when `to` is this agent. */
  sendTo(to: AgentId, msg: TaskMessage, nowMs: Millis): void;
  ledger(op: PendingOp): void;
  effect(effect: TaskNodeEffect): void;
  emit(event: TaskEvent): void;
  /** This agent's own bid for a task of `kind` (its facts as a bidder). */
  bidFacts(kind: string): BidFacts;
  /** Drops the tasks this agent holds that `drop` picks (cancelling their runs). */
  dropWork(drop: (item: WorkItem) => boolean): void;
  /** Hands a hash job's accepted results to their keys' successors to keep. */
  keepResults(jobId: string, results: StoredTaskResult[], nowMs: Millis): void;
}
