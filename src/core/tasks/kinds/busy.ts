import { asRecord, type TaskContext, type TaskKind } from './taskKind';

/** The longest spin one task may ask for. */
export const BUSY_MAX_MS = 60_000;

export interface BusyInput {
  ms: number;
}

export interface BusyResult {
  agent: string;
  ms: number;
}

export function validateBusy(input: unknown): string | null {
  const record = asRecord(input);
  if (record === null) return 'busy takes { ms }';
  const ms = record.ms;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > BUSY_MAX_MS)
    return `ms must be a number in [0, ${BUSY_MAX_MS}]`;
  return null;
}

/**
 * Keeps a core busy for `ms` on the host's clock: load for demos and for the scheduler's tests
 * (who ran it shows in the result).
 */
export function spin(ms: number, context: TaskContext): BusyResult {
  const startMs = context.nowMs();
  let nowMs = startMs;
  while (nowMs - startMs < ms) nowMs = context.nowMs();
  return { agent: context.agent, ms: nowMs - startMs };
}

export const busyKind: TaskKind = {
  validate: validateBusy,
  run: (input, context) => spin((input as BusyInput).ms, context),
};
