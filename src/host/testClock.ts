import type { Clock } from './ports';

/**
 * Test support: a virtual clock whose timers run in time order (ties in the order they were
 * set) when the test moves it forward. Nothing outside `*.test.ts` and test support uses it.
 */
export class TestClock implements Clock {
  private now = 0;
  private nextHandle = 1;
  private readonly timers = new Map<number, { atMs: number; callback: () => void }>();

  nowMs(): number {
    return this.now;
  }

  setTimer(atMs: number, callback: () => void): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { atMs: Math.max(atMs, this.now), callback });
    return handle;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers set and not yet run or cleared. */
  get liveTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running every timer due by then (timers they set included). */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let due: [number, { atMs: number; callback: () => void }] | null = null;
      // Map order is setting order, so the first of equal times wins.
      for (const entry of this.timers) {
        if (entry[1].atMs <= until && (due === null || entry[1].atMs < due[1].atMs)) due = entry;
      }
      if (due === null) break;
      this.timers.delete(due[0]);
      this.now = due[1].atMs;
      due[1].callback();
    }
    this.now = until;
  }
}

/** Moves the clock on in 10 ms steps, letting promise callbacks run between steps. */
export async function runFor(clock: TestClock, ms: number): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += 10) {
    clock.advance(10);
    await flushPromises();
  }
}

/** Lets the promise callbacks of this turn run before the clock moves on. */
async function flushPromises(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

/** The outcome of a promise once the clock ran far enough: its value, or its error's code. */
export async function settle<T>(
  promise: Promise<T>,
  clock: TestClock,
  ms = 5000,
): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  type Outcome = { ok: true; value: T } | { ok: false; code: string };
  const box: { outcome: Outcome | null } = { outcome: null };
  promise.then(
    (value) => (box.outcome = { ok: true, value }),
    (error: { code?: string }) => (box.outcome = { ok: false, code: String(error.code) }),
  );
  for (let elapsed = 0; elapsed < ms && box.outcome === null; elapsed += 10) {
    clock.advance(10);
    await flushPromises();
  }
  if (box.outcome === null) throw new Error(`not settled within ${ms} ms`);
  return box.outcome;
}
