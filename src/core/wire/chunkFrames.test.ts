import { describe, expect, it } from 'vitest';
import {
  CHUNK_FIELDS_BYTES,
  MAX_CHUNKS_PER_MESSAGE,
  MIN_CHUNK_PART_BYTES,
  cutIntoChunks,
  maxChunkedMessageBytes,
  readChunk,
} from './chunkFrames';

const PREFIX = Uint8Array.of(2, 0x32);
const FRAME_BYTES = 1024;
const PART_BYTES = FRAME_BYTES - PREFIX.length - CHUNK_FIELDS_BYTES;

function message(bytes: number): Uint8Array {
  return Uint8Array.from({ length: bytes }, (_, i) => (i * 7 + 3) & 0xff);
}

describe('cutIntoChunks', () => {
  it('lays out [prefix][id u32][index u16][count u16][part] in frames of at most the limit', () => {
    const body = message(2 * PART_BYTES + 5);
    const frames = cutIntoChunks(body, 0x01020304, PREFIX, FRAME_BYTES) as Uint8Array[];
    expect(frames.map((f) => f.length)).toEqual([FRAME_BYTES, FRAME_BYTES, 10 + 5]);
    expect([...(frames[2] as Uint8Array).subarray(0, 10)]).toEqual([
      2, 0x32, 1, 2, 3, 4, 0, 2, 0, 3,
    ]);
    const joined = frames.flatMap((f) => [...f.subarray(10)]);
    expect(joined).toEqual([...body]);
  });

  it('leaves a message that fits one part to a frame of its own', () => {
    expect(cutIntoChunks(message(PART_BYTES), 1, PREFIX, FRAME_BYTES)).toBeNull();
    expect(cutIntoChunks(message(PART_BYTES + 1), 1, PREFIX, FRAME_BYTES)).toHaveLength(2);
  });

  it('refuses a message past 65,535 parts and frames too small for a full part', () => {
    const most = maxChunkedMessageBytes(PREFIX.length, FRAME_BYTES);
    expect(most).toBe(PART_BYTES * MAX_CHUNKS_PER_MESSAGE);
    expect(cutIntoChunks(new Uint8Array(most + 1), 1, PREFIX, FRAME_BYTES)).toBeNull();
    const tiny = PREFIX.length + CHUNK_FIELDS_BYTES + MIN_CHUNK_PART_BYTES - 1;
    expect(maxChunkedMessageBytes(PREFIX.length, tiny)).toBe(0);
    expect(cutIntoChunks(message(4096), 1, PREFIX, tiny)).toBeNull();
  });

  it('writes the id as an unsigned 32-bit number', () => {
    const frames = cutIntoChunks(message(PART_BYTES + 1), 2 ** 32 + 9, PREFIX, FRAME_BYTES)!;
    const read = readChunk(frames[0] as Uint8Array, PREFIX.length);
    expect(read.ok && read.chunk.messageId).toBe(9);
  });
});

describe('readChunk', () => {
  it('reads back what was cut', () => {
    const frames = cutIntoChunks(message(3 * PART_BYTES), 77, PREFIX, FRAME_BYTES)!;
    const read = frames.map((f) => readChunk(f, PREFIX.length));
    expect(read.map((r) => r.ok && [r.chunk.messageId, r.chunk.index, r.chunk.count])).toEqual([
      [77, 0, 3],
      [77, 1, 3],
      [77, 2, 3],
    ]);
  });

  it('refuses a chunk without a part, of a single part, or with an index past its count', () => {
    const header = (index: number, count: number, partBytes: number) => {
      const frame = new Uint8Array(10 + partBytes);
      frame.set(PREFIX);
      frame.set([0, 0, 0, 1, index >> 8, index & 0xff, count >> 8, count & 0xff], 2);
      return frame;
    };
    expect(readChunk(header(0, 2, 0), 2)).toEqual({ ok: false, reason: 'truncated chunk' });
    expect(readChunk(header(0, 1, 4), 2)).toEqual({ ok: false, reason: 'chunk 0 of 1' });
    expect(readChunk(header(2, 2, 4), 2)).toEqual({ ok: false, reason: 'chunk 2 of 2' });
    expect(readChunk(header(1, 2, 4), 2).ok).toBe(true);
    expect(readChunk(new Uint8Array(5), 2).ok).toBe(false);
  });
});
