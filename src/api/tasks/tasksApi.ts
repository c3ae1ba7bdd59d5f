import type { JobStatus } from '../../core/tasks/taskTypes';
import type { FlagRecord } from './criticalTaskKinds';
import type { AcceptedResult, JobRequest, SubmittedJob, Tasks } from './tasks';

/** `mesh.tasks`: jobs split into tasks that run in workers across the mesh. */
export interface TasksApi {
  /**
   * Starts a job: `{ kind, inputs, strategy: 'steal' | 'hash' | 'auction', requires?, critical?,
   * ... }`. Throws a TaskError (`invalid`, `unknown-kind`, `too-large`, `unsupported`,
   * `no-quorum` for a critical job while pBFT forms) when the job is
   * refused before anything is sent; `done` resolves with every task's result in input order
   * once each has exactly one accepted result, or rejects with a TaskError whose `code` says why.
   */
  submit(job: JobRequest): SubmittedJob;
  /** Per-task state, owner, epoch and attempts of a job submitted here (null: unknown). */
  status(jobId: string): JobStatus | null;
  /** Adds a kind from an ES module that exports `run(input, context)` (and maybe `validate`). */
  register(kind: string, moduleUrl: string): Promise<void>;
  /** Kinds this agent can run. */
  kinds(): string[];
  /** Chaos: this agent's runs take `factor` times as long (1 is normal speed). */
  setSlowdown(factor: number): void;
  /** Every result accepted from now on for jobs submitted here; returns the unsubscribe. */
  onAccepted(listener: (accepted: AcceptedResult) => void): () => void;
  /**
   * A hash job's accepted result as its key's R successors keep it (from any agent, after the
   * job ended too); null when none has it. Rejects `busy` past 64 waiting fetches.
   */
  result(jobId: string, task: number): Promise<unknown>;
  /** Agents critical jobs caught reporting a result other than the agreed one, with evidence. */
  flagged(): FlagRecord[];
}

export function tasksApiOf(tasks: Tasks): TasksApi {
  return {
    submit: (job) => tasks.submit(job),
    status: (jobId) => tasks.status(jobId),
    register: (kind, moduleUrl) => tasks.register(kind, moduleUrl),
    kinds: () => tasks.kinds(),
    setSlowdown: (factor) => tasks.setSlowdown(factor),
    onAccepted: (listener) => tasks.onAccepted(listener),
    flagged: () => tasks.flagged(),
    result: (jobId, task) => tasks.result(jobId, task),
  };
}
