import type { TaskRunErrorCode } from './ports';

/**
 * Messages between a task pool (main thread) and one of its workers, the same for Web Workers
 * and worker threads. A worker runs one task at a time, in the order the `run`s came; the pool
 * may send the next before the last is `done` (it then waits in the worker).
 */
export type ToTaskWorker =
  | { type: 'run'; id: number; kind: string; input: unknown; agent: string }
  /** Import a registered kind's module; answered by `loaded`. */
  | { type: 'load'; kind: string; url: string };

/** The codes a worker itself reports (the pool adds timeout, cancelled, busy, stopped). */
export type TaskWorkerErrorCode = Extract<
  TaskRunErrorCode,
  'failed' | 'unknown-kind' | 'invalid-input' | 'too-large'
>;

export type FromTaskWorker =
  /** Sent once when the worker's loop is listening. */
  | { type: 'ready' }
  /** `ms`: the run's own time in the worker, from its start there to its end. */
  | { type: 'done'; id: number; ok: true; result: unknown; ms?: number }
  | {
      type: 'done';
      id: number;
      ok: false;
      error: { code: TaskWorkerErrorCode; message: string };
      ms?: number;
    }
  /** `error` is null when the kind's module loaded and has a `run`. */
  | { type: 'loaded'; kind: string; error: string | null };

const WORKER_ERROR_CODES: readonly string[] = [
  'failed',
  'unknown-kind',
  'invalid-input',
  'too-large',
] satisfies TaskWorkerErrorCode[];

/** A worker's message checked field by field, or null: the pool trusts nothing it did not send. */
export function parseFromTaskWorker(message: unknown): FromTaskWorker | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type === 'ready') return { type: 'ready' };
  if (m.type === 'loaded') {
    if (typeof m.kind !== 'string' || (m.error !== null && typeof m.error !== 'string'))
      return null;
    return { type: 'loaded', kind: m.kind, error: m.error };
  }
  if (m.type !== 'done' || typeof m.id !== 'number') return null;
  const ms = typeof m.ms === 'number' && Number.isFinite(m.ms) && m.ms >= 0 ? { ms: m.ms } : {};
  if (m.ok === true) return { type: 'done', id: m.id, ok: true, result: m.result, ...ms };
  const error = m.error as { code?: unknown; message?: unknown } | null | undefined;
  if (m.ok !== false || typeof error !== 'object' || error === null) return null;
  const code = WORKER_ERROR_CODES.includes(error.code as string)
    ? (error.code as TaskWorkerErrorCode)
    : 'failed';
  const text = typeof error.message === 'string' ? error.message : 'the worker gave no reason';
  return { type: 'done', id: m.id, ok: false, error: { code, message: text }, ...ms };
}

/** One worker as the pool sees it; each platform (and the tests) supplies its own. */
export interface WorkerHandle {
  postMessage(message: ToTaskWorker): void;
  /** Ends the worker at once, busy loop or not; the pool ignores whatever it reports after. */
  terminate(): void;
}

/** What a worker reports to its pool. */
export interface WorkerEvents {
  onMessage(message: unknown): void;
  /** The worker crashed, exited or failed to start; the pool replaces it. */
  onError(reason: string): void;
}

/** Starts one worker (it posts `ready` once listening). May throw if workers cannot start. */
export type StartWorker = (events: WorkerEvents) => WorkerHandle;
