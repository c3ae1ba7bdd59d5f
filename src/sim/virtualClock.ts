/** Simulated time. It only moves forward, and only when the event loop says so. */
export class VirtualClock {
  private currentMs = 0;

  nowMs(): number {
    return this.currentMs;
  }

  advanceTo(atMs: number): void {
    if (atMs < this.currentMs) {
      throw new Error(`virtual clock cannot go back from ${this.currentMs} to ${atMs} ms`);
    }
    this.currentMs = atMs;
  }
}
