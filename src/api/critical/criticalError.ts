/**
 * Why `mesh.critical.propose` (or an agreed memory write) failed:
 * - `no-quorum`: this side of the mesh cannot reach a quorum of replicas (or none formed yet);
 * - `timeout`: no result f + 1 replicas agree on in time (the outcome is unknown);
 * - `invalid`: the action is not JSON with a `kind`, its kind is unknown or its validator refused;
 * - `too-large`: the action's JSON text (or its result) is over 4 KiB;
 * - `busy`: too many of this agent's proposals are waiting already;
 * - `failed`: the kind's `apply` threw on the replicas (every replica refused alike).
 */
export type CriticalErrorCode =
  'no-quorum' | 'timeout' | 'invalid' | 'too-large' | 'busy' | 'failed';

export class CriticalError extends Error {
  constructor(
    readonly code: CriticalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CriticalError';
  }
}

export function isCriticalError(error: unknown): error is CriticalError {
  return error instanceof CriticalError;
}
