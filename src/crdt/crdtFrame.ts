import { readU16BE, readU32BE, writeU16BE, writeU32BE } from '../core/wire/bytes';
import { CRDT_LANE_TYPE_CODE } from '../core/wire/lanes';
import { WIRE_VERSION } from '../core/wire/messages';

/**
 * Frames of the shared-document lane: [version u8][0x30][kind u8][body].
 * - kind 0, message: the body is one y-protocols message (sync step 1, step 2, update;
 *   awareness; awareness query), the same bytes y-webrtc puts on its data channels.
 * - kind 1, chunk: [messageId u32][index u16][count u16][part], a piece of a message too large
 *   for one frame; the receiver joins the parts and reads the whole as a kind-0 body.
 */
export const FRAME_KIND_MESSAGE = 0;
export const FRAME_KIND_CHUNK = 1;
export const FRAME_HEADER_BYTES = 3;
export const CHUNK_HEADER_BYTES = FRAME_HEADER_BYTES + 8;

export type CrdtFrame =
  | { kind: 'message'; body: Uint8Array }
  | { kind: 'chunk'; messageId: number; index: number; count: number; part: Uint8Array };

export type CrdtFrameResult = { ok: true; frame: CrdtFrame } | { ok: false; reason: string };

export function encodeMessageFrame(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  frame[0] = WIRE_VERSION;
  frame[1] = CRDT_LANE_TYPE_CODE;
  frame[2] = FRAME_KIND_MESSAGE;
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

export function encodeChunkFrame(
  messageId: number,
  index: number,
  count: number,
  part: Uint8Array,
): Uint8Array {
  const frame = new Uint8Array(CHUNK_HEADER_BYTES + part.length);
  frame[0] = WIRE_VERSION;
  frame[1] = CRDT_LANE_TYPE_CODE;
  frame[2] = FRAME_KIND_CHUNK;
  writeU32BE(frame, 3, messageId >>> 0);
  writeU16BE(frame, 7, index);
  writeU16BE(frame, 9, count);
  frame.set(part, CHUNK_HEADER_BYTES);
  return frame;
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
    if (bytes.length <= CHUNK_HEADER_BYTES) return { ok: false, reason: 'truncated chunk' };
    const index = readU16BE(bytes, 7);
    const count = readU16BE(bytes, 9);
    if (count < 2 || index >= count) return { ok: false, reason: `chunk ${index} of ${count}` };
    return {
      ok: true,
      frame: {
        kind: 'chunk',
        messageId: readU32BE(bytes, 3),
        index,
        count,
        part: bytes.subarray(CHUNK_HEADER_BYTES),
      },
    };
  }
  return { ok: false, reason: `unknown frame kind ${String(kind)}` };
}
