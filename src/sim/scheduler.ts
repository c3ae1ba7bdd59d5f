import { EventQueue } from './eventQueue';
import { EventKind, SimEvent } from './simEvent';
import { VirtualClock } from './virtualClock';

/** The simulation's notion of "what happens next": a virtual clock and one ordered queue. */
export class Scheduler {
  readonly clock = new VirtualClock();
  private readonly queue = new EventQueue<SimEvent>();

  get pending(): number {
    return this.queue.size;
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Queues an event; a time in the past is clamped to now (it cannot happen earlier). */
  schedule(
    atMs: number,
    kind: EventKind,
    agent: number,
    peer = -1,
    epoch = 0,
    frame: Uint8Array | null = null,
    callback: (() => void) | null = null,
  ): SimEvent {
    const event = new SimEvent(kind, agent, peer, epoch, frame, callback);
    const nowMs = this.clock.nowMs();
    event.atMs = atMs < nowMs ? nowMs : atMs;
    this.queue.push(event);
    return event;
  }

  /**
   * Puts an event taken from the queue back at a later time (a frozen agent's). The same object
   * goes back, so a timer cleared meanwhile stays cleared; events requeued for the same time
   * keep the order they were taken in.
   */
  requeue(event: SimEvent, atMs: number): void {
    event.atMs = Math.max(atMs, this.clock.nowMs());
    this.queue.push(event);
  }

  /** Runs a callback at a time: fault scripts and test steps. */
  at(atMs: number, callback: () => void): SimEvent {
    return this.schedule(atMs, EventKind.action, -1, -1, 0, null, callback);
  }

  /**
   * Takes the next live event due at or before `untilMs` and moves the clock to it; cancelled
   * events are discarded on the way. Returns undefined (clock at `untilMs`) when none is due.
   */
  next(untilMs: number): SimEvent | undefined {
    for (;;) {
      const head = this.queue.peek();
      if (head === undefined || head.atMs > untilMs) {
        if (untilMs > this.clock.nowMs()) this.clock.advanceTo(untilMs);
        return undefined;
      }
      this.queue.pop();
      if (head.cancelled) continue;
      this.clock.advanceTo(head.atMs);
      return head;
    }
  }
}
