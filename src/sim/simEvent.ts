/** What a queued event does when its time comes. Small integers: they are also trace codes. */
export const EventKind = {
  /** A host's wake-up timer; `callback` runs it. */
  timer: 1,
  /** A frame reaches `agent` from `peer` on link `epoch`. */
  deliver: 2,
  /** A connection attempt between `agent` and `peer` completes (or finds the path blocked). */
  linkOpen: 3,
  /** `peer` closed its end of link `epoch`; `agent` learns of it. */
  peerClosed: 4,
  /** A scheduled fault or script step; `callback` runs it. */
  action: 5,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/**
 * One entry of the event queue. A single class with every field keeps the objects one shape,
 * which the JIT likes on the hot path; unused fields keep their defaults.
 */
export class SimEvent {
  atMs = 0;
  seq = 0;
  cancelled = false;

  constructor(
    readonly kind: EventKind,
    readonly agent: number,
    readonly peer: number,
    readonly epoch: number,
    readonly frame: Uint8Array | null,
    readonly callback: (() => void) | null,
  ) {}
}
