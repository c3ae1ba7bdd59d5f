/**
 * Runs operations one after another, each calling `done` when finished, at once (the
 * simulator's ports) or later (IndexedDB, WebCrypto). Keeps the order of what was queued, and
 * never recurses: an operation that finishes synchronously hands over to a loop.
 */
export class SerialQueue {
  private readonly queue: ((done: () => void) => void)[] = [];
  private busy = false;
  private pumping = false;

  get length(): number {
    return this.queue.length;
  }

  push(operation: (done: () => void) => void): void {
    this.queue.push(operation);
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    while (!this.busy && this.queue.length > 0) {
      const operation = this.queue.shift() as (done: () => void) => void;
      this.busy = true;
      let finishedAtOnce = true;
      let returned = false;
      try {
        operation(() => {
          this.busy = false;
          if (returned) {
            finishedAtOnce = false;
            this.pump();
          }
        });
      } catch (error) {
        // An operation that throws has not finished, but must not hold the queue forever.
        this.busy = false;
        this.pumping = false;
        throw error;
      }
      returned = true;
      if (this.busy) finishedAtOnce = false;
      if (!finishedAtOnce) break;
    }
    this.pumping = false;
  }
}

/** An operation started now whose result a queued step waits for (see PbftHost). */
export interface Started<T> {
  /** Calls `use` with the result once there is one (at once when there already is). */
  then(use: (value: T) => void): void;
}

/**
 * Starts `operation` at once and keeps its result for whoever asks: work that may overlap
 * (signatures, writes a store completes in order) runs in parallel, while the queue still
 * hands out the results strictly in order.
 */
export function startNow<T>(operation: (done: (value: T) => void) => void): Started<T> {
  let result: { value: T } | null = null;
  let waiting: ((value: T) => void) | null = null;
  operation((value) => {
    result = { value };
    const use = waiting;
    waiting = null;
    use?.(value);
  });
  return {
    then(use) {
      if (result !== null) use(result.value);
      else waiting = use;
    },
  };
}
