import { CHUNK_HEADER_BYTES, encodeChunkFrame, encodeMessageFrame } from './crdtFrame';

/** Cuts a message into frames of at most `maxFrameBytes`: one frame when it fits, else chunks. */
export function framesOf(body: Uint8Array, messageId: number, maxFrameBytes: number): Uint8Array[] {
  if (body.length + 3 <= maxFrameBytes) return [encodeMessageFrame(body)];
  const partBytes = maxFrameBytes - CHUNK_HEADER_BYTES;
  const count = Math.ceil(body.length / partBytes);
  if (count > 0xffff) throw new Error(`message of ${body.length} bytes needs too many chunks`);
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const part = body.subarray(index * partBytes, Math.min(body.length, (index + 1) * partBytes));
    frames.push(encodeChunkFrame(messageId, index, count, part));
  }
  return frames;
}

export interface ReassemblyLimits {
  /** Largest joined message. */
  maxMessageBytes: number;
  /** Messages being joined at once per peer; the oldest is dropped past it. */
  maxPendingMessages: number;
  /** A message whose parts stop coming is dropped after this long. */
  maxAgeMs: number;
}

interface Pending {
  count: number;
  parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  startedAtMs: number;
}

export type ChunkOutcome =
  | { kind: 'incomplete' }
  | { kind: 'complete'; body: Uint8Array }
  | { kind: 'dropped'; reason: string };

/** Joins one peer's chunked messages, within limits; parts may arrive in any order. */
export class Reassembler {
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly limits: ReassemblyLimits) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  add(
    messageId: number,
    index: number,
    count: number,
    part: Uint8Array,
    nowMs: number,
  ): ChunkOutcome {
    let message = this.pending.get(messageId);
    if (message === undefined) {
      if (this.pending.size >= this.limits.maxPendingMessages) {
        const oldest = this.pending.keys().next().value as number;
        this.pending.delete(oldest);
      }
      message = { count, parts: new Array(count), received: 0, bytes: 0, startedAtMs: nowMs };
      this.pending.set(messageId, message);
    }
    if (message.count !== count) {
      this.pending.delete(messageId);
      return { kind: 'dropped', reason: `chunk count changed from ${message.count} to ${count}` };
    }
    if (message.parts[index] !== undefined) return { kind: 'incomplete' };
    message.bytes += part.length;
    if (message.bytes > this.limits.maxMessageBytes) {
      this.pending.delete(messageId);
      return {
        kind: 'dropped',
        reason: `chunked message over ${this.limits.maxMessageBytes} bytes`,
      };
    }
    // Copy: the part is a view into a frame the transport may reuse.
    message.parts[index] = part.slice();
    message.received++;
    if (message.received < count) return { kind: 'incomplete' };
    this.pending.delete(messageId);
    const body = new Uint8Array(message.bytes);
    let at = 0;
    for (const piece of message.parts as Uint8Array[]) {
      body.set(piece, at);
      at += piece.length;
    }
    return { kind: 'complete', body };
  }

  /** Drops messages older than the limit; returns how many. */
  expire(nowMs: number): number {
    let dropped = 0;
    for (const [id, message] of this.pending) {
      if (nowMs - message.startedAtMs > this.limits.maxAgeMs) {
        this.pending.delete(id);
        dropped++;
      }
    }
    return dropped;
  }
}
