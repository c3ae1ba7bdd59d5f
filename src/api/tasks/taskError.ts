/** Why `mesh.tasks.submit` refused a job, or why its `done` rejected. */
export type TaskErrorCode =
  | 'invalid'
  | 'unknown-kind'
  | 'too-large'
  | 'too-many-jobs'
  | 'unsupported'
  | 'task-failed'
  | 'no-capable-agent'
  | 'timeout'
  | 'ledger-refused'
  | 'no-quorum'
  | 'busy'
  | 'stopped';

export class TaskError extends Error {
  constructor(
    readonly code: TaskErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}
