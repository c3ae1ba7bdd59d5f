import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import type * as Y from 'yjs';
import { errorText } from './updateGuard';

/** Message types of y-protocols as y-webrtc numbers them on its data channels. */
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;

export type SyncMessage =
  | { type: 'step1'; stateVector: Uint8Array }
  | { type: 'step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' };

export type ParseResult = { ok: true; msg: SyncMessage } | { ok: false; reason: string };

export function encodeStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** Everything `stateVector` lacks, with the whole delete set. */
export function encodeStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  return encoding.toUint8Array(encoder);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function encodeQueryAwareness(): Uint8Array {
  return Uint8Array.of(MESSAGE_QUERY_AWARENESS);
}

/** Reads one message; never throws, refuses trailing bytes. Payloads are views into `body`. */
export function parseSyncMessage(body: Uint8Array): ParseResult {
  try {
    const decoder = decoding.createDecoder(body);
    const msg = readMessage(decoder);
    if (typeof msg === 'string') return { ok: false, reason: msg };
    if (decoding.hasContent(decoder)) return { ok: false, reason: 'trailing bytes' };
    return { ok: true, msg };
  } catch (error) {
    return { ok: false, reason: `malformed message: ${errorText(error)}` };
  }
}

function readMessage(decoder: decoding.Decoder): SyncMessage | string {
  const type = decoding.readVarUint(decoder);
  if (type === MESSAGE_QUERY_AWARENESS) return { type: 'query-awareness' };
  if (type === MESSAGE_AWARENESS) return { type: 'awareness', update: readPayload(decoder) };
  if (type !== MESSAGE_SYNC) return `unknown message type ${type}`;
  const step = decoding.readVarUint(decoder);
  const payload = readPayload(decoder);
  if (step === syncProtocol.messageYjsSyncStep1) return { type: 'step1', stateVector: payload };
  if (step === syncProtocol.messageYjsSyncStep2) return { type: 'step2', update: payload };
  if (step === syncProtocol.messageYjsUpdate) return { type: 'update', update: payload };
  return `unknown sync step ${step}`;
}

function readPayload(decoder: decoding.Decoder): Uint8Array {
  const length = decoding.readVarUint(decoder);
  if (length > decoder.arr.length - decoder.pos)
    throw new Error(`payload of ${length} bytes past the end`);
  return decoding.readUint8Array(decoder, length);
}
