import { describe, expect, it } from 'vitest';
import { MIN_CHUNK_PART_BYTES, type Chunk } from './chunkFrames';
import {
  FINISHED_IDS_REMEMBERED,
  Reassembler,
  type ChunkDropReason,
  type ReassemblyLimits,
} from './chunkReassembler';

const PART = MIN_CHUNK_PART_BYTES;
const LIMITS: ReassemblyLimits = {
  maxMessageBytes: 8 * PART,
  maxPendingMessages: 2,
  maxAgeMs: 1000,
};

/** `bytes` of a message cut into parts of PART bytes, as the sender cuts them. */
function chunksOf(messageId: number, bytes: number): Chunk[] {
  const body = Uint8Array.from({ length: bytes }, (_, i) => (i * 13 + messageId) & 0xff);
  const count = Math.ceil(bytes / PART);
  return Array.from({ length: count }, (_, index) => ({
    messageId,
    index,
    count,
    part: body.subarray(index * PART, Math.min(bytes, (index + 1) * PART)),
  }));
}

function joinedOf(chunks: Chunk[]): number[] {
  return chunks.flatMap((c) => [...c.part]);
}

function reassembler(limits: ReassemblyLimits = LIMITS) {
  const drops: ChunkDropReason[] = [];
  return { drops, r: new Reassembler(limits, (reason) => drops.push(reason)) };
}

describe('Reassembler', () => {
  it('joins parts in any order, once, and ignores repeats of a part', () => {
    const { r, drops } = reassembler();
    const chunks = chunksOf(1, 3 * PART + 10);
    const order = [3, 1, 1, 0, 3];
    for (const i of order) expect(r.add(chunks[i] as Chunk, 0)).toBeNull();
    const joined = r.add(chunks[2] as Chunk, 0);
    expect([...(joined as Uint8Array)]).toEqual(joinedOf(chunks));
    expect(r.pendingCount).toBe(0);
    expect(drops).toEqual([]);
  });

  it('does not deliver a message again, nor hold a slot, for parts that come after it was joined', () => {
    const { r, drops } = reassembler();
    const done = chunksOf(1, 2 * PART);
    r.add(done[0] as Chunk, 0);
    expect(r.add(done[1] as Chunk, 0)).not.toBeNull();
    for (const chunk of done) expect(r.add(chunk, 0)).toBeNull();
    expect(r.pendingCount).toBe(0);
    expect(drops).toEqual([]);
  });

  it('keeps the part it was given, not a view into a frame that is reused', () => {
    const { r } = reassembler();
    const [first, second] = chunksOf(1, 2 * PART) as [Chunk, Chunk];
    const original = [...first.part, ...second.part];
    const frame = Uint8Array.from(first.part);
    r.add({ ...first, part: frame }, 0);
    frame.fill(0);
    expect([...(r.add(second, 0) as Uint8Array)]).toEqual(original);
  });

  it('joins two messages whose parts interleave', () => {
    const { r } = reassembler();
    const a = chunksOf(1, 2 * PART + 1);
    const b = chunksOf(2, 3 * PART);
    const results = [a[0], b[2], b[0], a[2], a[1], b[1]].map((c) => r.add(c as Chunk, 0));
    expect(results.map((x) => x?.length ?? null)).toEqual([
      null,
      null,
      null,
      null,
      2 * PART + 1,
      3 * PART,
    ]);
  });

  it('drops the oldest pending message past the limit; its late parts are ignored', () => {
    const { r, drops } = reassembler();
    const [a, b, c] = [chunksOf(1, 2 * PART), chunksOf(2, 2 * PART), chunksOf(3, 2 * PART)];
    r.add(a[0] as Chunk, 0);
    r.add(b[0] as Chunk, 0);
    r.add(c[0] as Chunk, 0);
    expect(drops).toEqual(['tooManyPending']);
    expect(r.add(a[1] as Chunk, 0)).toBeNull();
    expect(r.pendingCount).toBe(2);
    expect(r.add(b[1] as Chunk, 0)).not.toBeNull();
    expect(r.add(c[1] as Chunk, 0)).not.toBeNull();
  });

  it('drops a message that grows past the byte limit, as soon as its size is known', () => {
    const { r, drops } = reassembler();
    const big = chunksOf(1, 8 * PART + 1);
    expect(r.add(big[0] as Chunk, 0)).toBeNull();
    expect(drops).toEqual(['tooLarge']);
    expect(r.pendingCount).toBe(0);
    const exact = chunksOf(2, 8 * PART);
    const joined = exact.map((c) => r.add(c, 0)).at(-1);
    expect(joined?.length).toBe(8 * PART);
  });

  it('drops the oversized message even when only its last part came', () => {
    const { r, drops } = reassembler({ ...LIMITS, maxMessageBytes: PART + 10 });
    r.add({ messageId: 1, index: 1, count: 2, part: new Uint8Array(PART) }, 0);
    expect(drops).toEqual([]);
    r.add({ messageId: 1, index: 0, count: 2, part: new Uint8Array(PART) }, 0);
    expect(drops).toEqual(['tooLarge']);
  });

  it('drops a message that stops coming at its age limit, on add and on expire', () => {
    const { r, drops } = reassembler();
    const a = chunksOf(1, 2 * PART);
    const b = chunksOf(2, 2 * PART);
    r.add(a[0] as Chunk, 100);
    expect(r.nextExpiryMs()).toBe(1100);
    r.expire(1099);
    expect(drops).toEqual([]);
    r.add(b[0] as Chunk, 600);
    expect(r.add(a[1] as Chunk, 1100)).toBeNull();
    expect(drops).toEqual(['expired']);
    expect(r.nextExpiryMs()).toBe(1600);
    r.expire(1600);
    expect(drops).toEqual(['expired', 'expired']);
    expect(r.nextExpiryMs()).toBeNull();
  });

  it('drops a message whose parts disagree on their count or their length', () => {
    const { r, drops } = reassembler();
    r.add({ messageId: 1, index: 0, count: 3, part: new Uint8Array(PART) }, 0);
    r.add({ messageId: 1, index: 1, count: 4, part: new Uint8Array(PART) }, 0);
    r.add({ messageId: 2, index: 0, count: 3, part: new Uint8Array(PART) }, 0);
    r.add({ messageId: 2, index: 1, count: 3, part: new Uint8Array(PART + 1) }, 0);
    r.add({ messageId: 3, index: 2, count: 3, part: new Uint8Array(PART + 1) }, 0);
    r.add({ messageId: 3, index: 0, count: 3, part: new Uint8Array(PART) }, 0);
    r.add({ messageId: 4, index: 0, count: 3, part: new Uint8Array(PART - 1) }, 0);
    expect(drops).toEqual(['inconsistent', 'inconsistent', 'inconsistent', 'malformed']);
    expect(r.pendingCount).toBe(0);
  });

  it('refuses a chunk that cannot belong to any message, leaving pending ones alone', () => {
    const { r, drops } = reassembler();
    const a = chunksOf(1, 2 * PART);
    r.add(a[0] as Chunk, 0);
    r.add({ messageId: 1, index: 2, count: 2, part: new Uint8Array(4) }, 0);
    r.add({ messageId: 1, index: 0, count: 1, part: new Uint8Array(4) }, 0);
    r.add({ messageId: 1, index: 1, count: 2, part: new Uint8Array(0) }, 0);
    expect(drops).toEqual(['malformed', 'malformed', 'malformed']);
    expect(r.add(a[1] as Chunk, 0)).not.toBeNull();
  });

  it('clears every pending message, counting each', () => {
    const { r, drops } = reassembler();
    r.add(chunksOf(1, 2 * PART)[0] as Chunk, 0);
    r.add(chunksOf(2, 2 * PART)[0] as Chunk, 0);
    r.clear();
    expect(drops).toEqual(['cleared', 'cleared']);
    expect(r.pendingCount).toBe(0);
  });

  it('forgets the oldest finished ids past its memory', () => {
    const { r } = reassembler();
    for (let id = 0; id <= FINISHED_IDS_REMEMBERED; id++) {
      for (const chunk of chunksOf(id, 2 * PART)) r.add(chunk, 0);
    }
    const first = chunksOf(0, 2 * PART);
    const last = chunksOf(FINISHED_IDS_REMEMBERED, 2 * PART);
    r.add(first[0] as Chunk, 0);
    r.add(last[0] as Chunk, 0);
    expect(r.pendingCount).toBe(1);
    expect(r.add(first[1] as Chunk, 0)).not.toBeNull();
  });
});
