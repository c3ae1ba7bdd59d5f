import { assert } from '../base/assert';
import { isAgentId, type AgentId } from '../base/ids';
import { NO_INTERNING, type StringInterner } from '../base/interner';
import {
  DEFAULT_MAX_FRAME_BYTES,
  MAX_ADVERT_LINKS,
  WIRE_VERSION,
  type LinksMessage,
  type PeerMessage,
  type PingMessage,
} from './messages';
import { readF64BE, readU16BE, readU32BE, writeF64BE, writeU16BE, writeU32BE } from './bytes';
import { parsePbftBody } from './pbftCodec';
import { isPbftMessageType } from './pbftMessages';
import { parseRaftBody } from './raftCodec';
import { isRaftMessageType } from './raftMessages';
import { parseSwimBody } from './swimCodec';
import { isSwimMessageType, SYNC_BUCKETS } from './swimMessages';

/**
 * Frame layout: [version u8][type u8][body]. The hot paths have fixed binary bodies: ping and
 * pong (seq u32, sentAtMs f64; a ping may add a reach report: [advertVersion u32][count u16]
 * [count x age u16]), and link adverts, which every agent sends to every neighbour every few
 * seconds: [count u16][advert version u32][count x rttMs f64, NaN for null][count x 64 ASCII
 * hex digits of the peer id]. Hello and bye bodies are UTF-8 JSON, and so are the membership (SWIM)
 * messages, codes 16-23, validated field by field in swimCodec.ts, except the two that make up
 * the steady-state traffic: a probe, ack or nack without facts is [seq u32], and a digest is
 * [32 x u32]. The pBFT messages, codes 33-47, are JSON validated in pbftCodec.ts (the host
 * passes PBFT_MAX_MESSAGE_BYTES as their limit). The Raft messages, codes 64-74, are JSON
 * validated in raftCodec.ts, within the peer frame limit. Codes 0x20 (relay) and 0x30 up (lanes) belong
 * to the transport and the host, which take those frames before this codec sees them.
 * Multi-byte numbers are big-endian.
 */
const TYPE_CODES = {
  hello: 1,
  ping: 2,
  pong: 3,
  links: 4,
  bye: 5,
  'swim-probe': 16,
  'swim-ack': 17,
  'swim-probe-req': 18,
  'swim-nack': 19,
  'swim-gossip': 20,
  'swim-digest': 21,
  'swim-state': 22,
  'swim-summary': 23,
  'pbft-request': 33,
  'pbft-pre-prepare': 34,
  'pbft-prepare': 35,
  'pbft-commit': 36,
  'pbft-reply': 37,
  'pbft-checkpoint': 38,
  'pbft-view-change': 39,
  'pbft-new-view': 40,
  'pbft-batch-request': 41,
  'pbft-batch': 42,
  'pbft-state-request': 43,
  'pbft-state': 44,
  'pbft-entries-request': 45,
  'pbft-entries': 46,
  'pbft-evidence': 47,
  'raft-vote': 64,
  'raft-vote-response': 65,
  'raft-append': 66,
  'raft-append-response': 67,
  'raft-snapshot': 68,
  'raft-snapshot-response': 69,
  'raft-timeout-now': 70,
  'raft-read-index': 71,
  'raft-read-index-response': 72,
  'raft-propose': 73,
  'raft-propose-response': 74,
} as const;
/** The frame type code of a message type (the second byte of its frame). */
export function typeCodeOf(type: PeerMessage['type']): number {
  return TYPE_CODES[type];
}
const CODE_TYPES = new Map<number, PeerMessage['type']>(
  Object.entries(TYPE_CODES).map(([type, code]) => [code, type as PeerMessage['type']]),
);
const PROBE_FRAME_BYTES = 2 + 4 + 8;
/** A ping's reach report header: [advertVersion u32][count u16]; then count x u16 ages. */
const REACH_HEADER_BYTES = 4 + 2;
/** A SWIM probe, ack or nack that carries no facts: [seq u32]. */
const BARE_PROBE_FRAME_BYTES = 2 + 4;
/** A SWIM digest: [32 x u32 bucket hash]. */
const DIGEST_FRAME_BYTES = 2 + 4 * SYNC_BUCKETS;
const LINKS_HEADER_BYTES = 2 + 2 + 4;
const ID_CHARS = 64;
const LINK_ENTRY_BYTES = 8 + ID_CHARS;

export type DecodeFailure =
  'oversized' | 'truncated' | 'bad-version' | 'unknown-type' | 'malformed-body' | 'invalid-fields';

export type DecodeResult =
  { ok: true; msg: PeerMessage } | { ok: false; reason: DecodeFailure; detail: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError';
}

export function encodeFrame(msg: PeerMessage, maxBytes = DEFAULT_MAX_FRAME_BYTES): Uint8Array {
  const code = TYPE_CODES[msg.type];
  if (msg.type === 'links') return encodeLinks(msg, maxBytes);
  if (msg.type === 'swim-digest') return encodeDigest(msg.hashes);
  if (
    (msg.type === 'swim-probe' || msg.type === 'swim-ack' || msg.type === 'swim-nack') &&
    msg.facts.length === 0
  ) {
    // The steady-state probe traffic: one seq, no facts, no JSON.
    const frame = new Uint8Array(BARE_PROBE_FRAME_BYTES);
    frame[0] = WIRE_VERSION;
    frame[1] = code;
    writeU32BE(frame, 2, msg.seq >>> 0);
    return frame;
  }
  if (msg.type === 'ping' || msg.type === 'pong') {
    const reach = msg.type === 'ping' ? msg.reach : undefined;
    const ages = reach?.agesMs;
    assert(ages === undefined || ages.length <= MAX_ADVERT_LINKS, 'reach report over the limit');
    const size =
      ages === undefined
        ? PROBE_FRAME_BYTES
        : PROBE_FRAME_BYTES + REACH_HEADER_BYTES + 2 * ages.length;
    const frame = new Uint8Array(size);
    frame[0] = WIRE_VERSION;
    frame[1] = code;
    writeU32BE(frame, 2, msg.seq >>> 0);
    writeF64BE(frame, 6, msg.sentAtMs);
    if (reach !== undefined && ages !== undefined) {
      writeU32BE(frame, PROBE_FRAME_BYTES, reach.advertVersion >>> 0);
      writeU16BE(frame, PROBE_FRAME_BYTES + 4, ages.length);
      const at = PROBE_FRAME_BYTES + REACH_HEADER_BYTES;
      for (let i = 0; i < ages.length; i++)
        writeU16BE(frame, at + 2 * i, (ages[i] as number) & 0xffff);
    }
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

function encodeDigest(hashes: readonly number[]): Uint8Array {
  assert(hashes.length === SYNC_BUCKETS, `a digest has ${SYNC_BUCKETS} hashes`);
  const frame = new Uint8Array(DIGEST_FRAME_BYTES);
  frame[0] = WIRE_VERSION;
  frame[1] = TYPE_CODES['swim-digest'];
  for (let i = 0; i < SYNC_BUCKETS; i++) writeU32BE(frame, 2 + 4 * i, (hashes[i] as number) >>> 0);
  return frame;
}

function fail(reason: DecodeFailure, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

function encodeLinks(msg: LinksMessage, maxBytes: number): Uint8Array {
  const count = msg.links.length;
  const size = LINKS_HEADER_BYTES + count * LINK_ENTRY_BYTES;
  if (size > maxBytes || count > 0xffff) {
    throw new FrameTooLargeError(`links frame of ${size} bytes over ${maxBytes}`);
  }
  const frame = new Uint8Array(size);
  frame[0] = WIRE_VERSION;
  frame[1] = TYPE_CODES.links;
  writeU16BE(frame, 2, count);
  writeU32BE(frame, 4, msg.version >>> 0);
  const idsAt = LINKS_HEADER_BYTES + 8 * count;
  for (let i = 0; i < count; i++) {
    const { peer, rttMs } = msg.links[i] as LinksMessage['links'][number];
    assert(peer.length === ID_CHARS, 'advertised peer is not an agent id');
    writeF64BE(frame, LINKS_HEADER_BYTES + 8 * i, rttMs === null ? Number.NaN : rttMs);
    const at = idsAt + ID_CHARS * i;
    for (let j = 0; j < ID_CHARS; j++) frame[at + j] = peer.charCodeAt(j);
  }
  return frame;
}

/** 1 for the bytes of '0'-'9' and 'a'-'f', else 0: a table beats comparisons in the hot loop. */
const LOWER_HEX_BYTES = new Uint8Array(256);
for (const digit of '0123456789abcdef') LOWER_HEX_BYTES[digit.charCodeAt(0)] = 1;

function decodeLinks(frame: Uint8Array, interner: StringInterner): DecodeResult {
  if (frame.length < LINKS_HEADER_BYTES) return fail('truncated', `links of ${frame.length} bytes`);
  const count = readU16BE(frame, 2);
  if (count > MAX_ADVERT_LINKS) {
    return fail('invalid-fields', `${count} links over ${MAX_ADVERT_LINKS}`);
  }
  const size = LINKS_HEADER_BYTES + count * LINK_ENTRY_BYTES;
  if (frame.length < size) return fail('truncated', `links of ${frame.length} bytes, need ${size}`);
  if (frame.length > size) return fail('malformed-body', `${frame.length - size} trailing bytes`);
  const idsAt = LINKS_HEADER_BYTES + 8 * count;
  let allHex = 1;
  for (let i = idsAt; i < size; i++) allHex &= LOWER_HEX_BYTES[frame[i] as number] as number;
  if (allHex === 0) return fail('invalid-fields', 'peer id is not lowercase hex');
  // One decode for all ids, then cheap slices: this runs for every advert received.
  const ids = count === 0 ? '' : decoder.decode(frame.subarray(idsAt, size));
  const links: LinksMessage['links'] = [];
  for (let i = 0; i < count; i++) {
    const rtt = readF64BE(frame, LINKS_HEADER_BYTES + 8 * i);
    if (!Number.isNaN(rtt) && !(Number.isFinite(rtt) && rtt >= 0)) {
      return fail('invalid-fields', 'link rttMs must be a finite non-negative number or null');
    }
    const peer = interner.intern(ids.slice(ID_CHARS * i, ID_CHARS * (i + 1)) as AgentId);
    links.push({ peer, rttMs: Number.isNaN(rtt) ? null : rtt });
  }
  return { ok: true, msg: { type: 'links', version: readU32BE(frame, 4), links } };
}

/** A ping or pong: [seq u32][sentAtMs f64], a ping optionally followed by its reach report. */
function decodeProbe(type: 'ping' | 'pong', frame: Uint8Array): DecodeResult {
  if (frame.length < PROBE_FRAME_BYTES)
    return fail('truncated', `${type} of ${frame.length} bytes`);
  const sentAtMs = readF64BE(frame, 6);
  if (!Number.isFinite(sentAtMs)) return fail('invalid-fields', 'sentAtMs not finite');
  const seq = readU32BE(frame, 2);
  if (frame.length === PROBE_FRAME_BYTES) return { ok: true, msg: { type, seq, sentAtMs } };
  if (type === 'pong')
    return fail('malformed-body', `${frame.length - PROBE_FRAME_BYTES} trailing bytes`);
  if (frame.length < PROBE_FRAME_BYTES + REACH_HEADER_BYTES) {
    return fail('truncated', `ping of ${frame.length} bytes`);
  }
  const count = readU16BE(frame, PROBE_FRAME_BYTES + 4);
  if (count > MAX_ADVERT_LINKS)
    return fail('invalid-fields', `reach of ${count} links over ${MAX_ADVERT_LINKS}`);
  const size = PROBE_FRAME_BYTES + REACH_HEADER_BYTES + 2 * count;
  if (frame.length < size) return fail('truncated', `ping of ${frame.length} bytes, need ${size}`);
  if (frame.length > size) return fail('malformed-body', `${frame.length - size} trailing bytes`);
  const agesMs: number[] = [];
  const at = PROBE_FRAME_BYTES + REACH_HEADER_BYTES;
  for (let i = 0; i < count; i++) agesMs.push(readU16BE(frame, at + 2 * i));
  const reach = { advertVersion: readU32BE(frame, PROBE_FRAME_BYTES), agesMs };
  const msg: PingMessage = { type: 'ping', seq, sentAtMs, reach };
  return { ok: true, msg };
}

/**
 * Decodes one frame. Never throws: every bad input becomes a counted, named failure. The ids
 * and signatures of links adverts and membership messages come from `interner`.
 */
export function decodeFrame(
  frame: Uint8Array,
  maxBytes = DEFAULT_MAX_FRAME_BYTES,
  interner: StringInterner = NO_INTERNING,
): DecodeResult {
  if (frame.length > maxBytes) return fail('oversized', `${frame.length} bytes over ${maxBytes}`);
  if (frame.length < 2) return fail('truncated', `${frame.length} bytes`);
  if (frame[0] !== WIRE_VERSION) return fail('bad-version', `version ${frame[0]}`);
  const type = CODE_TYPES.get(frame[1] as number);
  if (type === undefined) return fail('unknown-type', `type code ${frame[1]}`);
  // A larger limit is for pBFT's containers (view changes, new views, state); every other
  // type keeps the peer frame limit, whatever the caller allows.
  if (frame.length > DEFAULT_MAX_FRAME_BYTES && !isPbftMessageType(type)) {
    return fail('oversized', `${type} of ${frame.length} bytes over ${DEFAULT_MAX_FRAME_BYTES}`);
  }
  if (type === 'ping' || type === 'pong') return decodeProbe(type, frame);
  if (type === 'links') return decodeLinks(frame, interner);
  if (type === 'swim-digest') {
    if (frame.length !== DIGEST_FRAME_BYTES)
      return fail('truncated', `digest of ${frame.length} bytes`);
    const hashes: number[] = [];
    for (let i = 0; i < SYNC_BUCKETS; i++) hashes.push(readU32BE(frame, 2 + 4 * i));
    return { ok: true, msg: { type, hashes } };
  }
  if (
    (type === 'swim-probe' || type === 'swim-ack' || type === 'swim-nack') &&
    frame.length === BARE_PROBE_FRAME_BYTES
  ) {
    return { ok: true, msg: { type, seq: readU32BE(frame, 2), facts: [] } };
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
  if (isSwimMessageType(type)) {
    const parsed = parseSwimBody(type, fields, interner);
    return typeof parsed === 'string'
      ? fail('invalid-fields', parsed.slice(0, 160))
      : { ok: true, msg: parsed };
  }
  if (isRaftMessageType(type)) {
    const parsed = parseRaftBody(type, fields);
    return typeof parsed === 'string'
      ? fail('invalid-fields', parsed.slice(0, 160))
      : { ok: true, msg: parsed };
  }
  if (isPbftMessageType(type)) {
    const parsed = parsePbftBody(type, fields);
    return typeof parsed === 'string'
      ? fail('invalid-fields', parsed.slice(0, 160))
      : { ok: true, msg: parsed };
  }
  switch (type) {
    case 'hello': {
      const { id, signature } = fields;
      if (!isAgentId(id) || typeof signature !== 'string' || !/^[0-9a-f]{128}$/.test(signature)) {
        return fail('invalid-fields', 'hello needs an agent id and a 64-byte hex signature');
      }
      return { ok: true, msg: { type, id, signature } };
    }
    case 'bye':
      return { ok: true, msg: { type } };
  }
}
