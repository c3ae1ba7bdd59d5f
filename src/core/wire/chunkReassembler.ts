import { MIN_CHUNK_PART_BYTES, type Chunk } from './chunkFrames';

export interface ReassemblyLimits {
  /** Largest joined message. */
  maxMessageBytes: number;
  /** Messages being joined at once per peer; the oldest is dropped past it. */
  maxPendingMessages: number;
  /** A message whose parts stop coming is dropped this long after its first part. */
  maxAgeMs: number;
}

/**
 * Ids of messages joined or dropped that one peer's reassembler remembers, so a late or
 * duplicated part of one neither delivers it again nor takes a pending slot from a live one.
 */
export const FINISHED_IDS_REMEMBERED = 64;

export type ChunkDropReason =
  'tooLarge' | 'tooManyPending' | 'expired' | 'inconsistent' | 'malformed' | 'cleared';

export type ChunkDropHandler = (reason: ChunkDropReason, detail: string) => void;

interface Pending {
  count: number;
  parts: Map<number, Uint8Array>;
  bytes: number;
  /** Length of every part but the last, once one of them came. */
  partBytes: number | null;
  lastPartBytes: number | null;
  startedAtMs: number;
}

/**
 * Joins one peer's chunked messages within limits; parts may come in any order and more than
 * once. Every message dropped, and every chunk refused on its own, is reported to `onDropped`
 * once. Relies on a sender not reusing a message id while the link lasts.
 */
export class Reassembler {
  private readonly pending = new Map<number, Pending>();
  private readonly finished = new Set<number>();

  constructor(
    private readonly limits: ReassemblyLimits,
    private readonly onDropped: ChunkDropHandler,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** The joined message when `chunk` completes one, else null. */
  add(chunk: Chunk, nowMs: number): Uint8Array | null {
    const { messageId, index, count, part } = chunk;
    this.expire(nowMs);
    if (this.finished.has(messageId)) return null;
    if (count < 2 || index >= count || part.length === 0) {
      this.onDropped('malformed', `chunk ${index} of ${count} with ${part.length} bytes`);
      return null;
    }
    let message = this.pending.get(messageId);
    if (message === undefined) {
      if (this.pending.size >= this.limits.maxPendingMessages) {
        const oldest = this.pending.keys().next().value as number;
        this.drop(oldest, 'tooManyPending', `over ${this.limits.maxPendingMessages} pending`);
      }
      message = {
        count,
        parts: new Map(),
        bytes: 0,
        partBytes: null,
        lastPartBytes: null,
        startedAtMs: nowMs,
      };
      this.pending.set(messageId, message);
    }
    if (message.parts.has(index)) return null;
    const problem = this.checkPart(message, index, count, part.length);
    if (problem !== null) {
      this.drop(messageId, problem.reason, problem.detail);
      return null;
    }
    // Copy: the part is a view into a frame the transport may reuse.
    message.parts.set(index, part.slice());
    message.bytes += part.length;
    if (message.parts.size < count) return null;
    this.finish(messageId);
    const joined = new Uint8Array(message.bytes);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const piece = message.parts.get(i) as Uint8Array;
      joined.set(piece, at);
      at += piece.length;
    }
    return joined;
  }

  /** Drops the messages whose first part came `maxAgeMs` or more before `nowMs`. */
  expire(nowMs: number): void {
    for (const [id, message] of this.pending) {
      if (nowMs - message.startedAtMs >= this.limits.maxAgeMs) {
        this.drop(id, 'expired', `older than ${this.limits.maxAgeMs} ms`);
      }
    }
  }

  /** When the oldest pending message goes stale, or null when none is pending. */
  nextExpiryMs(): number | null {
    const oldest = this.pending.values().next().value as Pending | undefined;
    return oldest === undefined ? null : oldest.startedAtMs + this.limits.maxAgeMs;
  }

  /** Drops every pending message (the peer's link went down). */
  clear(): void {
    for (const id of [...this.pending.keys()]) this.drop(id, 'cleared', 'link down');
  }

  private checkPart(
    message: Pending,
    index: number,
    count: number,
    partBytes: number,
  ): { reason: ChunkDropReason; detail: string } | null {
    if (message.count !== count) {
      return { reason: 'inconsistent', detail: `chunk count ${count} after ${message.count}` };
    }
    if (index === count - 1) {
      if (message.partBytes !== null && partBytes > message.partBytes) {
        return { reason: 'inconsistent', detail: `last part longer than the others` };
      }
      message.lastPartBytes = partBytes;
    } else {
      if (partBytes < MIN_CHUNK_PART_BYTES) {
        return { reason: 'malformed', detail: `part of ${partBytes} bytes` };
      }
      if (message.partBytes !== null && message.partBytes !== partBytes) {
        return { reason: 'inconsistent', detail: `parts of ${partBytes} and ${message.partBytes}` };
      }
      if (message.lastPartBytes !== null && message.lastPartBytes > partBytes) {
        return { reason: 'inconsistent', detail: `last part longer than the others` };
      }
      message.partBytes = partBytes;
    }
    // Known as soon as one full part came: the size the whole message will have at least.
    const leastBytes =
      message.partBytes === null
        ? message.bytes + partBytes
        : (count - 1) * message.partBytes + (message.lastPartBytes ?? 1);
    if (leastBytes > this.limits.maxMessageBytes) {
      return {
        reason: 'tooLarge',
        detail: `chunked message over ${this.limits.maxMessageBytes} bytes`,
      };
    }
    return null;
  }

  private drop(messageId: number, reason: ChunkDropReason, detail: string): void {
    this.finish(messageId);
    this.onDropped(reason, detail);
  }

  /** Remembers `messageId` as done; the oldest remembered id goes past the limit. */
  private finish(messageId: number): void {
    this.pending.delete(messageId);
    this.finished.add(messageId);
    if (this.finished.size > FINISHED_IDS_REMEMBERED) {
      this.finished.delete(this.finished.values().next().value as number);
    }
  }
}
