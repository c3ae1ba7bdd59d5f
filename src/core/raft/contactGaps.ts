import type { Millis } from '../base/time';

/** How many one-second buckets the window holds: the last 10 s of contacts. */
const BUCKETS = 10;
const BUCKET_MS = 1000;

/**
 * The longest gap between contacts with the other side of the election (a follower: its
 * leader's messages; a leader: each follower's answers) in the last ten seconds. On a loaded
 * machine a page's main thread is held up for hundreds of milliseconds at a time, and the
 * heartbeats it sends or reads come late by as much; a node that times out no sooner than
 * 1.5 times the longest recent gap does not depose a leader that is only slow, and a quiet
 * window brings the timeout back to its minimum. A gap past `outageMs` is an outage (a crash,
 * a partition), not a delay, and is not counted: after a heal the timeout stays short.
 *
 * Kept as the longest gap per second of the window: bounded, whatever the message rate.
 */
export class ContactGaps {
  private readonly seconds = new Array<number>(BUCKETS).fill(-1);
  private readonly longestMs = new Array<number>(BUCKETS).fill(0);

  constructor(private readonly outageMs: Millis) {}

  record(gapMs: Millis, nowMs: Millis): void {
    if (!(gapMs >= 0) || gapMs > this.outageMs) return;
    const second = Math.floor(nowMs / BUCKET_MS);
    const at = ((second % BUCKETS) + BUCKETS) % BUCKETS;
    if (this.seconds[at] !== second) {
      this.seconds[at] = second;
      this.longestMs[at] = 0;
    }
    this.longestMs[at] = Math.max(this.longestMs[at] as number, gapMs);
  }

  /** The longest gap recorded in the last ten seconds (0 when none was). */
  longest(nowMs: Millis): Millis {
    const oldest = Math.floor(nowMs / BUCKET_MS) - BUCKETS + 1;
    let longest = 0;
    for (let i = 0; i < BUCKETS; i++)
      if ((this.seconds[i] as number) >= oldest)
        longest = Math.max(longest, this.longestMs[i] as number);
    return longest;
  }
}

/** A timeout this many times the longest recent gap outlasts the delays seen. */
export const GAP_FACTOR = 1.5;
