import type { AgentId } from '../base/ids';

/**
 * Messages of task distribution (core/tasks/README.md), peer to peer over the tasks lane. Task
 * inputs and results travel as JSON text: the scheduler never looks inside them, the worker
 * parses them, and a result's digest is taken over exactly the text that was sent.
 */

/** A task's input as JSON text, in UTF-8 bytes at most. */
export const TASK_INPUT_MAX_BYTES = 64 * 1024;
/** A task's result as JSON text, in UTF-8 bytes at most. */
export const TASK_RESULT_MAX_BYTES = 256 * 1024;
/** A tasks-lane message at most (chunked over the links when over one frame). */
export const TASK_MESSAGE_MAX_BYTES = 512 * 1024;
/** Tasks in one offer or one steal at most. */
export const TASK_MAX_PER_MESSAGE = 64;
/** A kind name: 1-64 characters of lowercase letters, digits, `-`, `_`, `.`, not starting with a mark. */
export const TASK_KIND_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Requirements per job at most, each 1-64 characters. */
export const TASK_MAX_REQUIREMENTS = 16;
/** Declared capability tags per agent at most. */
export const TASK_MAX_TAGS = 16;
/** An error message in a failed result, in bytes at most. */
export const TASK_ERROR_MAX_BYTES = 512;

/** One task on its way to the agent that runs it. */
export interface OfferedTask {
  task: number;
  /** The fencing epoch it runs under: its result must carry it. */
  epoch: number;
  input: string;
  /** The submitter's estimate of its run time, ms. */
  costMs: number;
  /** A run of it ends `timeout` after this long, ms. */
  timeoutMs: number;
  /**
   * Placed on this agent on purpose (a copy of a critical job's task, which must run on an
   * agent its other copies do not): never stolen or pushed away.
   */
  pinned?: true;
}

/** A task handed over in a steal: the same, with the job it belongs to. */
export interface StolenTask extends OfferedTask {
  jobId: string;
  submitter: AgentId;
  kind: string;
}

export type TaskErrorCode = 'timeout' | 'failed' | 'unknown-kind' | 'invalid-input' | 'too-large';
export const TASK_ERROR_CODES: readonly TaskErrorCode[] = [
  'timeout',
  'failed',
  'unknown-kind',
  'invalid-input',
  'too-large',
];

export interface CapabilityFacts {
  cores: number;
  memoryGb: number | null;
  webgpu: boolean;
  tags: string[];
}

export type TaskMessage =
  /** Submitter to owner: run these tasks of a job (sent again until their results come). */
  | { type: 'task-offer'; jobId: string; kind: string; tasks: OfferedTask[] }
  /** Owner to submitter: a task's outcome under the epoch it ran. */
  | {
      type: 'task-result';
      jobId: string;
      task: number;
      epoch: number;
      ok: true;
      result: string;
      ms: number;
    }
  | {
      type: 'task-result';
      jobId: string;
      task: number;
      epoch: number;
      ok: false;
      error: TaskErrorCode;
      message: string;
      ms: number;
    }
  /** Submitter to owners: the job is over, drop what is left of it. */
  | { type: 'task-cancel'; jobId: string }
  /** Every agent to its neighbours when its queue moves: what stealing decides from. */
  | {
      type: 'task-load';
      /** Queued tasks a thief could take (a critical job's pinned copies are not counted). */
      queued: number;
      running: number;
      workers: number;
      meanTaskMs: number;
      /** CPU utilisation 0-1 (rebalancing moves work from hot agents to cold ones). */
      utilisation: number;
    }
  /** Thief to victim. */
  | { type: 'steal-ask'; stealId: number; count: number }
  /** Victim to thief: the tasks it gave up (none when it had none left); the confirmation. */
  | { type: 'steal-give'; stealId: number; tasks: StolenTask[] }
  /** Thief to submitter, once the ledger moved the tasks: who owns them now. */
  | { type: 'task-moved'; jobId: string; tasks: [number, number][] }
  /** Submitter to its neighbours: who bids for tasks of this kind and requirements. */
  | {
      type: 'task-announce';
      auctionId: number;
      jobId: string;
      kind: string;
      requires: string[];
      count: number;
      costMs: number;
    }
  /** An agent's bid: its facts, so the submitter scores every bid the same way. */
  | {
      type: 'task-bid';
      auctionId: number;
      capabilities: CapabilityFacts;
      utilisation: number;
      /** Tasks of the kind per second it measured, or null. */
      speed: number | null;
      /** Its queue's time before it could start, ms. */
      queueMs: number;
      workers: number;
    }
  /**
   * Results of a hash job for a key's R successors to keep (core/tasks/resultReplicas.ts): from
   * the submitter once accepted, and from a holder handing them on when the successors change.
   */
  | { type: 'result-store'; jobId: string; submitter: AgentId; results: StoredTaskResult[] }
  /** Anyone to a key's successors: the result of this task, if kept. */
  | { type: 'result-fetch'; fetchId: number; jobId: string; task: number }
  /** A successor's answer (null: not kept here). */
  | { type: 'result-found'; fetchId: number; jobId: string; task: number; result: string | null };

/** One kept result: the task and its accepted result's JSON text. */
export interface StoredTaskResult {
  task: number;
  result: string;
}

export type TaskMessageType = TaskMessage['type'];
export const TASK_MESSAGE_TYPES: readonly TaskMessageType[] = [
  'task-offer',
  'task-result',
  'task-cancel',
  'task-load',
  'steal-ask',
  'steal-give',
  'task-moved',
  'task-announce',
  'task-bid',
  'result-store',
  'result-fetch',
  'result-found',
];
