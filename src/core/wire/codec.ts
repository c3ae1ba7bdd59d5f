import { isAgentId } from '../base/ids';
import {
  DEFAULT_MAX_FRAME_BYTES,
  MAX_ADVERT_LINKS,
  WIRE_VERSION,
  type LinksMessage,
  type PeerMessage,
} from './messages';

/**
 * Frame layout: [version u8][type u8][body]. Ping and pong bodies are fixed binary
 * (seq u32, sentAtMs f64) because they are the hot path; other bodies are UTF-8 JSON.
 */
const TYPE_CODES = { hello: 1, ping: 2, pong: 3, links: 4, bye: 5 } as const;
const CODE_TYPES = new Map<number, PeerMessage['type']>(
  Object.entries(TYPE_CODES).map(([type, code]) => [code, type as PeerMessage['type']]),
);
const PROBE_FRAME_BYTES = 2 + 4 + 8;

export type DecodeFailure =
  | 'oversized'
  | 'truncated'
  | 'bad-version'
  | 'unknown-type'
  | 'malformed-body'
  | 'invalid-fields';

export type DecodeResult =
  | { ok: true; msg: PeerMessage }
  | { ok: false; reason: DecodeFailure; detail: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError';
}

export function encodeFrame(msg: PeerMessage, maxBytes = DEFAULT_MAX_FRAME_BYTES): Uint8Array {
  const code = TYPE_CODES[msg.type];
  if (msg.type === 'ping' || msg.type === 'pong') {
    const frame = new Uint8Array(PROBE_FRAME_BYTES);
    const view = new DataView(frame.buffer);
    frame[0] = WIRE_VERSION;
    frame[1] = code;
    view.setUint32(2, msg.seq >>> 0);
    view.setFloat64(6, msg.sentAtMs);
    return frame;
  }
  const { type: _type, ...body } = msg;
  const json = encoder.encode(JSON.stringify(body));
  if (json.length + 2 > maxBytes) {
    throw new FrameTooLargeError(`${msg.type} frame of ${json.length + 2} bytes over ${maxBytes}`);
  }
  const frame = new Uint8Array(json.length + 2);
  frame[0] = WIRE_VERSION;
  frame[1] = code;
  frame.set(json, 2);
  return frame;
}

function fail(reason: DecodeFailure, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function validLinks(body: Record<string, unknown>): LinksMessage['links'] | null {
  const links = body['links'];
  if (!Array.isArray(links) || links.length > MAX_ADVERT_LINKS) return null;
  // Fresh entries: a peer's extra fields must not ride along into our state.
  const valid: LinksMessage['links'] = [];
  for (const link of links) {
    if (typeof link !== 'object' || link === null) return null;
    const { peer, rttMs } = link as Record<string, unknown>;
    if (!isAgentId(peer)) return null;
    if (rttMs !== null && !(isFiniteNumber(rttMs) && rttMs >= 0)) return null;
    valid.push({ peer, rttMs });
  }
  return valid;
}

/** Decodes one frame. Never throws: every bad input becomes a counted, named failure. */
export function decodeFrame(frame: Uint8Array, maxBytes = DEFAULT_MAX_FRAME_BYTES): DecodeResult {
  if (frame.length > maxBytes) return fail('oversized', `${frame.length} bytes over ${maxBytes}`);
  if (frame.length < 2) return fail('truncated', `${frame.length} bytes`);
  if (frame[0] !== WIRE_VERSION) return fail('bad-version', `version ${frame[0]}`);
  const type = CODE_TYPES.get(frame[1] as number);
  if (type === undefined) return fail('unknown-type', `type code ${frame[1]}`);
  if (type === 'ping' || type === 'pong') {
    if (frame.length !== PROBE_FRAME_BYTES) return fail('truncated', `${type} of ${frame.length} bytes`);
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const sentAtMs = view.getFloat64(6);
    if (!Number.isFinite(sentAtMs)) return fail('invalid-fields', 'sentAtMs not finite');
    return { ok: true, msg: { type, seq: view.getUint32(2), sentAtMs } };
  }
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(frame.subarray(2)));
  } catch (error) {
    return fail('malformed-body', String(error).slice(0, 120));
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('malformed-body', 'body is not an object');
  }
  const fields = body as Record<string, unknown>;
  switch (type) {
    case 'hello': {
      const { id, signature } = fields;
      if (!isAgentId(id) || typeof signature !== 'string' || !/^[0-9a-f]{128}$/.test(signature)) {
        return fail('invalid-fields', 'hello needs an agent id and a 64-byte hex signature');
      }
      return { ok: true, msg: { type, id, signature } };
    }
    case 'links': {
      const links = validLinks(fields);
      if (links === null) return fail('invalid-fields', 'links must be a bounded list of {peer, rttMs}');
      return { ok: true, msg: { type, links } };
    }
    case 'bye':
      return { ok: true, msg: { type } };
  }
}
