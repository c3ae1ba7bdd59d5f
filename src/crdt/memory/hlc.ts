/**
 * A hybrid logical clock stamp (Kulkarni et al. 2014): wall milliseconds, a counter for events
 * within one millisecond, and the writer's id to break the last ties. Stamps only grow at one
 * agent, and an agent that has seen a stamp issues larger ones after, so a write made after
 * reading another always wins over it, whatever the clocks say.
 */
export interface Stamp {
  ms: number;
  counter: number;
  writer: string;
}

export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.writer === b.writer) return 0;
  return a.writer < b.writer ? -1 : 1;
}

export class HybridClock {
  private ms = 0;
  private counter = 0;

  constructor(private readonly writer: string) {}

  /** A stamp for a local write at wall time `nowMs` (whole milliseconds are kept). */
  next(nowMs: number): Stamp {
    const wallMs = Math.floor(nowMs);
    if (wallMs > this.ms) {
      this.ms = wallMs;
      this.counter = 0;
    } else {
      this.counter++;
    }
    return { ms: this.ms, counter: this.counter, writer: this.writer };
  }

  /** Takes in a stamp seen from elsewhere, so the next local stamp is larger. */
  observe(stamp: Stamp): void {
    if (stamp.ms > this.ms || (stamp.ms === this.ms && stamp.counter > this.counter)) {
      this.ms = stamp.ms;
      this.counter = stamp.counter;
    }
  }
}
