import type { AgentId } from '../core/base/ids';
import type { Clock, TimerHandle, Transport } from '../host/ports';

export interface OutboxLimits {
  /** Frames wait while the link holds more than this many unsent bytes. */
  maxBufferedBytes: number;
  /** Bytes that may wait per peer; past it the peer's queue is dropped (anti-entropy repairs). */
  maxQueuedBytes: number;
  /** How soon a waiting queue looks at the link again. */
  retryMs: number;
}

interface Queue {
  frames: Uint8Array[];
  bytes: number;
  timer: TimerHandle | null;
}

/**
 * Per-peer frame queues that feed a link no faster than it drains, so a large sync (chunked)
 * never overruns the data channel's buffer, which drops frames past its own limit.
 */
export class Outbox {
  private readonly queues = new Map<AgentId, Queue>();
  overflows = 0;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly limits: OutboxLimits,
  ) {}

  /** Sends the frames in order, at once when the link has room, else as it drains. */
  send(peer: AgentId, frames: readonly Uint8Array[]): void {
    const queue = this.queues.get(peer);
    if (queue === undefined && frames.length === 1 && this.hasRoom(peer)) {
      this.transport.send(peer, frames[0] as Uint8Array);
      return;
    }
    const waiting = queue ?? { frames: [], bytes: 0, timer: null };
    let bytes = 0;
    for (const frame of frames) bytes += frame.length;
    if (waiting.bytes + bytes > this.limits.maxQueuedBytes) {
      this.overflows++;
      this.drop(peer);
      return;
    }
    waiting.frames.push(...frames);
    waiting.bytes += bytes;
    this.queues.set(peer, waiting);
    this.pump(peer);
  }

  queuedBytes(peer: AgentId): number {
    return this.queues.get(peer)?.bytes ?? 0;
  }

  /** Forgets a peer's queue (its link went down). */
  drop(peer: AgentId): void {
    const queue = this.queues.get(peer);
    if (queue === undefined) return;
    if (queue.timer !== null) this.clock.clearTimer(queue.timer);
    this.queues.delete(peer);
  }

  dropAll(): void {
    for (const peer of [...this.queues.keys()]) this.drop(peer);
  }

  private hasRoom(peer: AgentId): boolean {
    return (this.transport.bufferedBytes?.(peer) ?? 0) <= this.limits.maxBufferedBytes;
  }

  private pump(peer: AgentId): void {
    const queue = this.queues.get(peer);
    if (queue === undefined) return;
    queue.timer = null;
    while (queue.frames.length > 0 && this.hasRoom(peer)) {
      const frame = queue.frames.shift() as Uint8Array;
      queue.bytes -= frame.length;
      this.transport.send(peer, frame);
    }
    if (queue.frames.length === 0) {
      this.queues.delete(peer);
      return;
    }
    queue.timer = this.clock.setTimer(this.clock.nowMs() + this.limits.retryMs, () =>
      this.pump(peer),
    );
  }
}
