import { cutIntoChunks, readChunk, type Chunk } from '../core/wire/chunkFrames';
import { CRDT_LANE_TYPE_CODE } from '../core/wire/lanes';
import { WIRE_VERSION } from '../core/wire/messages';

/**
 * Frames of the shared-document lane: [version u8][0x30][kind u8][body].
 * - kind 0, message: the body is one y-protocols message (sync step 1, step 2, update;
 *   awareness; awareness query), the same bytes y-webrtc puts on its data channels.
 * - kind 1, chunk: [messageId u32][index u16][count u16][part], a piece of a message too large
 *   for one frame (core/wire/chunkFrames.ts); the receiver joins the parts and reads the whole
 *   as a kind-0 body.
 */
export const FRAME_KIND_MESSAGE = 0;
export const FRAME_KIND_CHUNK = 1;
export const FRAME_HEADER_BYTES = 3;

const CHUNK_PREFIX = Uint8Array.of(WIRE_VERSION, CRDT_LANE_TYPE_CODE, FRAME_KIND_CHUNK);

export type CrdtFrame = { kind: 'message'; body: Uint8Array } | ({ kind: 'chunk' } & Chunk);

export type CrdtFrameResult = { ok: true; frame: CrdtFrame } | { ok: false; reason: string };

export function encodeMessageFrame(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  frame[0] = WIRE_VERSION;
  frame[1] = CRDT_LANE_TYPE_CODE;
  frame[2] = FRAME_KIND_MESSAGE;
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/** Cuts a message into frames of at most `maxFrameBytes`: one frame when it fits, else chunks. */
export function framesOf(body: Uint8Array, messageId: number, maxFrameBytes: number): Uint8Array[] {
  if (body.length + FRAME_HEADER_BYTES <= maxFrameBytes) return [encodeMessageFrame(body)];
  const chunks = cutIntoChunks(body, messageId, CHUNK_PREFIX, maxFrameBytes);
  if (chunks === null) throw new Error(`message of ${body.length} bytes needs too many chunks`);
  return chunks;
}

/** Never throws; the bodies are views into `bytes`. */
export function decodeCrdtFrame(bytes: Uint8Array, maxFrameBytes: number): CrdtFrameResult {
  if (bytes.length > maxFrameBytes) return { ok: false, reason: `frame of ${bytes.length} bytes` };
  if (bytes.length < FRAME_HEADER_BYTES) return { ok: false, reason: 'truncated frame' };
  if (bytes[0] !== WIRE_VERSION || bytes[1] !== CRDT_LANE_TYPE_CODE) {
    return { ok: false, reason: 'not a shared-document frame' };
  }
  const kind = bytes[2];
  if (kind === FRAME_KIND_MESSAGE) {
    if (bytes.length === FRAME_HEADER_BYTES) return { ok: false, reason: 'empty message' };
    return { ok: true, frame: { kind: 'message', body: bytes.subarray(FRAME_HEADER_BYTES) } };
  }
  if (kind === FRAME_KIND_CHUNK) {
    const read = readChunk(bytes, FRAME_HEADER_BYTES);
    return read.ok ? { ok: true, frame: { kind: 'chunk', ...read.chunk } } : read;
  }
  return { ok: false, reason: `unknown frame kind ${String(kind)}` };
}
