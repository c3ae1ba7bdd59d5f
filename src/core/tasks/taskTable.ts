import { isAgentId, type AgentId } from '../base/ids';

/** Tasks in one job at most. */
export const MAX_TASKS_PER_JOB = 1024;
/** Jobs open in the table at once; opening one more is refused until one closes. */
export const MAX_OPEN_JOBS = 64;
/** Tasks of all open jobs together, so the table (and a Raft snapshot of it) stays bounded. */
export const MAX_OPEN_TASKS = 8192;
/** Tasks moved by one operation at most (it must fit one Raft entry, 4 KiB). */
export const MAX_TASKS_PER_OP = 128;
/** Results accepted by one operation at most (each carries a 64-digit digest). */
export const MAX_RESULTS_PER_OP = 32;
/** A job id: 1-64 characters of letters, digits, `-`, `_` and `.`. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** An accepted result's digest: the SHA-256 of its JSON text, in hex. */
const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/** A task's ownership as the ledger has it. Epoch 0 and no owner: never assigned yet. */
export interface TaskRecord {
  owner: AgentId | null;
  /** Raised by every move; a result carries the epoch it ran under (the fencing token). */
  epoch: number;
  /** The digest of the accepted result, or null while none is. */
  digest: string | null;
}

export interface JobRecord {
  jobId: string;
  submitter: AgentId;
  tasks: TaskRecord[];
}

/**
 * Operations on the task table. `assign` moves tasks from the owner the proposer saw (`from`,
 * null for never assigned) to `to`, each naming the epoch it saw: a move whose task has since
 * moved on, or was accepted, is refused, so of two agents moving one task only the first wins.
 * `accept` takes results that ran under a task's current owner and epoch, once.
 */
export type TaskTableOp =
  | { kind: 'task-open'; jobId: string; submitter: AgentId; tasks: number }
  | {
      kind: 'task-assign';
      jobId: string;
      from: AgentId | null;
      to: AgentId;
      /** [task index, the epoch the proposer saw] */
      tasks: [number, number][];
    }
  | {
      kind: 'task-accept';
      jobId: string;
      owner: AgentId;
      /** [task index, the epoch it ran under, the result's digest] */
      results: [number, number, string][];
    }
  | { kind: 'task-close'; jobId: string };

export const TASK_TABLE_OP_KINDS: readonly TaskTableOp['kind'][] = [
  'task-open',
  'task-assign',
  'task-accept',
  'task-close',
];

/** A task an operation could not move or accept, and where it stands now. */
export interface TaskRefusal {
  task: number;
  owner: AgentId | null;
  epoch: number;
  accepted: boolean;
  /** The accepted result's digest, so a proposer whose earlier try landed can tell. */
  digest: string | null;
}

export type TaskTableResult =
  | { kind: 'opened' }
  | { kind: 'assigned'; moved: [number, number][]; refused: TaskRefusal[] }
  | { kind: 'accepted'; accepted: number[]; refused: TaskRefusal[] }
  | { kind: 'closed'; existed: boolean };

/**
 * Who owns which task of which job, with a fencing epoch per task (Gray and Cheriton's leases;
 * Kleppmann's fencing tokens): the state machine a Raft ledger applies in log order, so every
 * node agrees which owner's result counts, and a stale owner's result (one that ran under an
 * epoch the task has left) is refused. Deterministic: no clock, no randomness.
 */
export class TaskTable {
  private readonly jobs = new Map<string, JobRecord>();
  private openTasks = 0;

  /** Why `op` is malformed, or null. Checked before proposing and again when applying. */
  static refusal(op: unknown): string | null {
    if (typeof op !== 'object' || op === null) return 'a task operation is an object';
    const o = op as Record<string, unknown>;
    if (typeof o.jobId !== 'string' || !JOB_ID_PATTERN.test(o.jobId))
      return 'jobId must be 1-64 characters of letters, digits, - _ .';
    switch (o.kind) {
      case 'task-open':
        if (!isAgentId(o.submitter)) return 'submitter must be an agent id';
        if (!isCount(o.tasks, 1, MAX_TASKS_PER_JOB))
          return `tasks must be an integer from 1 to ${MAX_TASKS_PER_JOB}`;
        return null;
      case 'task-assign':
        if (o.from !== null && !isAgentId(o.from)) return 'from must be an agent id or null';
        if (!isAgentId(o.to)) return 'to must be an agent id';
        return pairsRefusal(o.tasks, 'tasks', MAX_TASKS_PER_OP, (entry) => entry.length === 2);
      case 'task-accept':
        if (!isAgentId(o.owner)) return 'owner must be an agent id';
        return pairsRefusal(
          o.results,
          'results',
          MAX_RESULTS_PER_OP,
          (entry) =>
            entry.length === 3 && typeof entry[2] === 'string' && DIGEST_PATTERN.test(entry[2]),
        );
      case 'task-close':
        return null;
      default:
        return `unknown task operation ${String(o.kind).slice(0, 40)}`;
    }
  }

  /** Applies a well-formed `op` (see `refusal`); throws, changing nothing, when it cannot. */
  apply(op: TaskTableOp): TaskTableResult {
    switch (op.kind) {
      case 'task-open':
        return this.open(op.jobId, op.submitter, op.tasks);
      case 'task-assign':
        return this.assign(this.jobOf(op.jobId), op.from, op.to, op.tasks);
      case 'task-accept':
        return this.accept(this.jobOf(op.jobId), op.owner, op.results);
      case 'task-close': {
        const job = this.jobs.get(op.jobId);
        if (job !== undefined) {
          this.jobs.delete(op.jobId);
          this.openTasks -= job.tasks.length;
        }
        return { kind: 'closed', existed: job !== undefined };
      }
    }
  }

  job(jobId: string): Readonly<JobRecord> | undefined {
    return this.jobs.get(jobId);
  }

  /** Open jobs, oldest first. */
  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  get openTaskCount(): number {
    return this.openTasks;
  }

  /** Throws when the table breaks a rule it must keep (the simulator checks after every step). */
  invariants(): void {
    let tasks = 0;
    for (const job of this.jobs.values()) {
      tasks += job.tasks.length;
      for (const [i, record] of job.tasks.entries()) {
        if (record.epoch === 0 && record.owner !== null)
          throw new Error(`job ${job.jobId} task ${i}: an owner at epoch 0`);
        if (record.digest !== null && record.owner === null)
          throw new Error(`job ${job.jobId} task ${i}: accepted with no owner`);
      }
    }
    if (tasks !== this.openTasks) throw new Error(`open tasks ${this.openTasks}, counted ${tasks}`);
    if (this.jobs.size > MAX_OPEN_JOBS) throw new Error(`${this.jobs.size} jobs open`);
  }

  snapshot(): JobRecord[] {
    return [...this.jobs.values()].map((job) => ({
      ...job,
      tasks: job.tasks.map((t) => ({ ...t })),
    }));
  }

  /** Replaces the table with the jobs of a snapshot this table made (undefined: an empty table). */
  restore(state: unknown): void {
    this.jobs.clear();
    this.openTasks = 0;
    if (!Array.isArray(state)) return;
    for (const job of state as JobRecord[]) {
      this.jobs.set(job.jobId, {
        jobId: job.jobId,
        submitter: job.submitter,
        tasks: job.tasks.map((t) => ({ owner: t.owner, epoch: t.epoch, digest: t.digest })),
      });
      this.openTasks += job.tasks.length;
    }
  }

  private open(jobId: string, submitter: AgentId, count: number): TaskTableResult {
    if (this.jobs.has(jobId)) throw new Error(`job ${jobId} is open already`);
    if (this.jobs.size >= MAX_OPEN_JOBS) throw new Error(`${MAX_OPEN_JOBS} jobs are open`);
    if (this.openTasks + count > MAX_OPEN_TASKS)
      throw new Error(`open jobs hold ${this.openTasks} tasks; ${MAX_OPEN_TASKS} at most`);
    const tasks: TaskRecord[] = [];
    for (let i = 0; i < count; i++) tasks.push({ owner: null, epoch: 0, digest: null });
    this.jobs.set(jobId, { jobId, submitter, tasks });
    this.openTasks += count;
    return { kind: 'opened' };
  }

  private assign(
    job: JobRecord,
    from: AgentId | null,
    to: AgentId,
    moves: [number, number][],
  ): TaskTableResult {
    const moved: [number, number][] = [];
    const refused: TaskRefusal[] = [];
    for (const [task, seenEpoch] of moves) {
      const record = job.tasks[task];
      if (record === undefined) throw new Error(`job ${job.jobId} has no task ${task}`);
      if (record.digest === null && record.epoch === seenEpoch && record.owner === from) {
        record.owner = to;
        record.epoch += 1;
        moved.push([task, record.epoch]);
      } else refused.push(refusalOf(task, record));
    }
    return { kind: 'assigned', moved, refused };
  }

  private accept(
    job: JobRecord,
    owner: AgentId,
    results: [number, number, string][],
  ): TaskTableResult {
    const accepted: number[] = [];
    const refused: TaskRefusal[] = [];
    for (const [task, epoch, digest] of results) {
      const record = job.tasks[task];
      if (record === undefined) throw new Error(`job ${job.jobId} has no task ${task}`);
      if (record.digest === null && record.owner === owner && record.epoch === epoch) {
        record.digest = digest;
        accepted.push(task);
      } else refused.push(refusalOf(task, record));
    }
    return { kind: 'accepted', accepted, refused };
  }

  private jobOf(jobId: string): JobRecord {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw new Error(`no open job ${jobId}`);
    return job;
  }
}

function refusalOf(task: number, record: TaskRecord): TaskRefusal {
  return {
    task,
    owner: record.owner,
    epoch: record.epoch,
    accepted: record.digest !== null,
    digest: record.digest,
  };
}

function isCount(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Entries of [task, epoch, ...]: distinct tasks, 1 to `max` of them. */
function pairsRefusal(
  value: unknown,
  name: string,
  max: number,
  rest: (entry: unknown[]) => boolean,
): string | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > max)
    return `${name} must list 1 to ${max} tasks`;
  const seen = new Set<number>();
  for (const entry of value) {
    if (!Array.isArray(entry) || !rest(entry)) return `${name} holds a malformed entry`;
    const [task, epoch] = entry as unknown[];
    if (!isCount(task, 0, MAX_TASKS_PER_JOB - 1) || !isCount(epoch, 0, Number.MAX_SAFE_INTEGER))
      return `${name} holds a task or epoch that is not a whole number in range`;
    if (seen.has(task)) return `${name} names task ${task} twice`;
    seen.add(task);
  }
  return null;
}
