/** What a kind's `run` is given besides its input. */
export interface TaskContext {
  /** The id of the agent running it. */
  agent: string;
  /** A monotonic clock the host supplies, in ms. */
  nowMs(): number;
}

/** One task kind: a pure check of its input and the work itself. */
export interface TaskKind {
  /** Why the input is refused, or null when it is fine. */
  validate(input: unknown): string | null;
  /** The result must be a plain JSON value (it travels to other agents). */
  run(input: unknown, context: TaskContext): unknown;
}

/** The input as a record, or null when it is not a plain object. */
export function asRecord(input: unknown): Record<string, unknown> | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  return input as Record<string, unknown>;
}

/** Why `value` is not a whole number in [min, max], or null when it is. */
export function integerProblem(
  name: string,
  value: unknown,
  min: number,
  max: number,
): string | null {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    return `${name} must be an integer`;
  if (value < min || value > max) return `${name} must be in [${min}, ${max}]`;
  return null;
}
