import { readU16BE, readU32BE, writeU16BE, writeU32BE } from './bytes';

/**
 * Chunks of a message too large for one frame, shared by the lanes that carry such messages
 * (the shared document, pBFT): [lane prefix][messageId u32][index u16][count u16][part]. The
 * prefix is the lane's own header ([version][type code], plus a kind byte on the document
 * lane). Every part but the last has the same length; the last is no longer than the others.
 */
export const CHUNK_FIELDS_BYTES = 8;
export const MAX_CHUNKS_PER_MESSAGE = 0xffff;
/**
 * Parts but the last are at least this long, so a peer cannot make a receiver keep tens of
 * thousands of tiny parts per message.
 */
export const MIN_CHUNK_PART_BYTES = 512;

export interface Chunk {
  messageId: number;
  index: number;
  count: number;
  part: Uint8Array;
}

export type ChunkResult = { ok: true; chunk: Chunk } | { ok: false; reason: string };

/** Bytes of each part (but the last) when frames are at most `maxFrameBytes`. */
export function chunkPartBytes(prefixBytes: number, maxFrameBytes: number): number {
  return maxFrameBytes - prefixBytes - CHUNK_FIELDS_BYTES;
}

/** The largest message that can be cut into frames of at most `maxFrameBytes`. */
export function maxChunkedMessageBytes(prefixBytes: number, maxFrameBytes: number): number {
  const partBytes = chunkPartBytes(prefixBytes, maxFrameBytes);
  return partBytes < MIN_CHUNK_PART_BYTES ? 0 : partBytes * MAX_CHUNKS_PER_MESSAGE;
}

/**
 * The chunk frames of `message`, each at most `maxFrameBytes` and starting with `prefix`; null
 * when the message fits one part (it belongs in a frame of its own) or is too large.
 */
export function cutIntoChunks(
  message: Uint8Array,
  messageId: number,
  prefix: Uint8Array,
  maxFrameBytes: number,
): Uint8Array[] | null {
  const partBytes = chunkPartBytes(prefix.length, maxFrameBytes);
  if (message.length <= partBytes) return null;
  if (message.length > maxChunkedMessageBytes(prefix.length, maxFrameBytes)) return null;
  const count = Math.ceil(message.length / partBytes);
  const headerBytes = prefix.length + CHUNK_FIELDS_BYTES;
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const part = message.subarray(
      index * partBytes,
      Math.min(message.length, (index + 1) * partBytes),
    );
    const frame = new Uint8Array(headerBytes + part.length);
    frame.set(prefix, 0);
    writeU32BE(frame, prefix.length, messageId >>> 0);
    writeU16BE(frame, prefix.length + 4, index);
    writeU16BE(frame, prefix.length + 6, count);
    frame.set(part, headerBytes);
    frames.push(frame);
  }
  return frames;
}

/**
 * Reads the chunk fields after a lane prefix the caller has checked. Never throws; the part is a
 * view into `frame`.
 */
export function readChunk(frame: Uint8Array, prefixBytes: number): ChunkResult {
  const headerBytes = prefixBytes + CHUNK_FIELDS_BYTES;
  if (frame.length <= headerBytes) return { ok: false, reason: 'truncated chunk' };
  const index = readU16BE(frame, prefixBytes + 4);
  const count = readU16BE(frame, prefixBytes + 6);
  if (count < 2 || index >= count) return { ok: false, reason: `chunk ${index} of ${count}` };
  return {
    ok: true,
    chunk: {
      messageId: readU32BE(frame, prefixBytes),
      index,
      count,
      part: frame.subarray(headerBytes),
    },
  };
}
