/**
 * Limits of running task kinds, shared by the worker pools (host/adapters) and the scheduler.
 * Inputs and results are plain JSON values, measured as the UTF-8 bytes of their JSON text.
 */

import { TASK_INPUT_MAX_BYTES, TASK_RESULT_MAX_BYTES } from '../../wire/taskMessages';

/** A task's input, as JSON text, at most (the wire's limit: inputs travel in offers). */
export const TASK_MAX_INPUT_BYTES = TASK_INPUT_MAX_BYTES;
/** A task's result, as JSON text, at most (a 256 x 256 fractal tile fits, about 171 KiB). */
export const TASK_MAX_RESULT_BYTES = TASK_RESULT_MAX_BYTES;
/** Workers in one pool at most. */
export const TASK_MAX_WORKERS = 16;
/** Kinds one runner knows at most, built-in and registered together. */
export const TASK_MAX_KINDS = 64;
/** The longest timeout a run may ask for. */
export const TASK_MAX_TIMEOUT_MS = 10 * 60_000;
/** A kind's name: lowercase letters, digits, `-`, `_` and `.`, up to this many characters. */
export const TASK_MAX_KIND_NAME_CHARS = 64;
/** A fresh worker that has not said it is ready by then is taken for crashed. */
export const TASK_WORKER_START_TIMEOUT_MS = 30_000;

/** Why `kind` is not a usable kind name, or null when it is. */
export function kindNameProblem(kind: unknown): string | null {
  if (typeof kind !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(kind))
    return 'a kind name is lowercase letters, digits, "-", "_" and "." (starting with a letter or digit)';
  if (kind.length > TASK_MAX_KIND_NAME_CHARS)
    return `a kind name has at most ${TASK_MAX_KIND_NAME_CHARS} characters`;
  return null;
}

/**
 * The default pool size: one worker per core, at most 4 (a tab shares its machine with the
 * page and other tabs), at least 1.
 */
export function defaultTaskWorkers(hardwareConcurrency: number): number {
  const cores = Number.isFinite(hardwareConcurrency) ? Math.floor(hardwareConcurrency) : 1;
  return Math.max(1, Math.min(4, cores));
}
