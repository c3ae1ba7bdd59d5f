export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Assertions stay on in production: a broken invariant must stop the step, not corrupt state. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
