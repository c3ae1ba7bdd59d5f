/**
 * The signaling envelope: the y-webrtc signaling protocol (JSON text frames over a WebSocket),
 * shared by the signaling server (server/) and the browser's signaling client.
 *
 * client -> server: subscribe, unsubscribe, publish, ping.
 * server -> client: a publish forwarded to every subscriber of its topic (sender included) with
 * `clients` (the topic's subscriber count) added; pong; and our own error answer.
 *
 * Pure: no I/O, no clock. The parsers never throw, whatever the input.
 */

/** The frame limit both sides use unless configured otherwise (measured as UTF-8 bytes). */
export const DEFAULT_MAX_SIGNALING_FRAME_BYTES = 64 * 1024;
/** A topic (a y-webrtc room name) is 1..256 UTF-16 code units. */
export const MAX_SIGNALING_TOPIC_CHARS = 256;
/** The most topics one subscribe or unsubscribe frame may name. */
export const MAX_SIGNALING_TOPICS_PER_FRAME = 1024;
/** Arrays and objects nest at most this deep in a frame (y-webrtc's frames nest about 5). */
export const MAX_SIGNALING_JSON_DEPTH = 32;
/** Error `code` and `message` strings a client accepts from a server. */
export const MAX_SIGNALING_ERROR_CODE_CHARS = 64;
export const MAX_SIGNALING_ERROR_MESSAGE_CHARS = 1024;

export interface SignalingSubscribe {
  type: 'subscribe';
  topics: string[];
}

export interface SignalingUnsubscribe {
  type: 'unsubscribe';
  topics: string[];
}

/** A publish carries any other JSON fields (y-webrtc: `{type: 'announce' | 'signal', ...}`). */
export interface SignalingPublish {
  type: 'publish';
  topic: string;
  [field: string]: unknown;
}

export interface SignalingPing {
  type: 'ping';
}

export type SignalingClientMessage =
  SignalingSubscribe | SignalingUnsubscribe | SignalingPublish | SignalingPing;

/** A publish as the server delivers it: `clients` is the topic's subscriber count. */
export interface SignalingDelivery extends SignalingPublish {
  clients: number;
}

export interface SignalingPong {
  type: 'pong';
}

/** The codes our server answers with. A client also accepts codes it does not know. */
export const SIGNALING_ERROR_CODES = [
  'malformed-json',
  'unknown-type',
  'bad-field',
  'frame-too-large',
  'binary-frame',
  'too-many-topics',
  'topic-full',
  'rate-limited',
  'server-full',
  'address-full',
  'slow-consumer',
] as const;

export type SignalingErrorCode = (typeof SIGNALING_ERROR_CODES)[number];

export interface SignalingError {
  type: 'error';
  /** One of SIGNALING_ERROR_CODES when it comes from our server. */
  code: string;
  message: string;
}

export type SignalingServerMessage = SignalingDelivery | SignalingPong | SignalingError;

export type SignalingParseResult<T> =
  { ok: true; msg: T } | { ok: false; code: SignalingErrorCode; message: string };

/** Builds the error answer the server sends. */
export function signalingError(code: SignalingErrorCode, message: string): SignalingError {
  return { type: 'error', code, message };
}

export function encodeSignalingMessage(
  msg: SignalingClientMessage | SignalingServerMessage,
): string {
  return JSON.stringify(msg);
}

/**
 * The UTF-8 byte length of `text`, as TextEncoder would produce it (a lone surrogate becomes
 * U+FFFD, 3 bytes). No allocation.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** True when `text` encodes to more than `maxBytes` UTF-8 bytes; stops early on long input. */
function exceedsBytes(text: string, maxBytes: number): boolean {
  // Every UTF-16 code unit takes 1 to 3 UTF-8 bytes (a surrogate pair 4 for 2 units).
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return utf8ByteLength(text) > maxBytes;
}

type Failure = { ok: false; code: SignalingErrorCode; message: string };

function fail(code: SignalingErrorCode, message: string): Failure {
  return { ok: false, code, message };
}

/** True when no array or object in `value` sits deeper than `maxDepth` (the root is 1). */
function nestsWithin(value: unknown, maxDepth: number): boolean {
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const item = pending.pop();
    const depth = depths.pop() as number;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > maxDepth) return false;
    const children = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}

type Decoded = { ok: true; record: Record<string, unknown>; type: string } | Failure;

/** Size check, JSON parse, object check and `type` check shared by both directions. */
function decodeFrame(text: unknown, maxBytes: number): Decoded {
  if (typeof text !== 'string') return fail('bad-field', 'frame must be text');
  const limit = Number.isFinite(maxBytes) && maxBytes >= 0 ? Math.floor(maxBytes) : 0;
  if (exceedsBytes(text, limit)) {
    return fail('frame-too-large', `frame is larger than ${limit} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('malformed-json', 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('bad-field', 'frame must be a JSON object');
  }
  if (!nestsWithin(value, MAX_SIGNALING_JSON_DEPTH)) {
    return fail('bad-field', `frame nests deeper than ${MAX_SIGNALING_JSON_DEPTH} levels`);
  }
  const record = value as Record<string, unknown>;
  const type = Object.prototype.hasOwnProperty.call(record, 'type') ? record['type'] : undefined;
  if (typeof type !== 'string') return fail('bad-field', '"type" must be a string');
  return { ok: true, record, type };
}

function describeType(type: string): string {
  return JSON.stringify(type.length > 40 ? `${type.slice(0, 40)}...` : type);
}

function checkTopic(value: unknown, where: string): Failure | null {
  if (typeof value !== 'string') return fail('bad-field', `${where} must be a string`);
  if (value.length === 0) return fail('bad-field', `${where} must not be empty`);
  if (value.length > MAX_SIGNALING_TOPIC_CHARS) {
    return fail('bad-field', `${where} is longer than ${MAX_SIGNALING_TOPIC_CHARS} characters`);
  }
  return null;
}

/** Validates a topics array; returns the distinct topics in first-seen order. */
function readTopics(record: Record<string, unknown>): { ok: true; topics: string[] } | Failure {
  const topics = Object.prototype.hasOwnProperty.call(record, 'topics')
    ? record['topics']
    : undefined;
  if (!Array.isArray(topics)) return fail('bad-field', '"topics" must be an array of strings');
  if (topics.length > MAX_SIGNALING_TOPICS_PER_FRAME) {
    return fail(
      'too-many-topics',
      `"topics" names ${topics.length} topics; at most ${MAX_SIGNALING_TOPICS_PER_FRAME} per frame`,
    );
  }
  const distinct = new Set<string>();
  for (let i = 0; i < topics.length; i++) {
    const topic: unknown = topics[i];
    const problem = checkTopic(topic, `"topics[${i}]"`);
    if (problem) return problem;
    distinct.add(topic as string);
  }
  return { ok: true, topics: [...distinct] };
}

function readPublish(record: Record<string, unknown>): SignalingParseResult<SignalingPublish> {
  const topic = Object.prototype.hasOwnProperty.call(record, 'topic') ? record['topic'] : undefined;
  const problem = checkTopic(topic, '"topic"');
  if (problem) return problem;
  // JSON.parse returns a fresh plain object; it is handed on as it is, all fields kept.
  return { ok: true, msg: record as SignalingPublish };
}

/**
 * Parses and validates one frame a client sent. Subscribe and unsubscribe come back normalised
 * (distinct topics, no other fields); a publish keeps all its fields. Never throws.
 */
export function parseSignalingClientMessage(
  text: string,
  maxBytes: number,
): SignalingParseResult<SignalingClientMessage> {
  const decoded = decodeFrame(text, maxBytes);
  if (!decoded.ok) return decoded;
  const { record, type } = decoded;
  switch (type) {
    case 'subscribe':
    case 'unsubscribe': {
      const read = readTopics(record);
      if (!read.ok) return read;
      return { ok: true, msg: { type, topics: read.topics } };
    }
    case 'publish':
      return readPublish(record);
    case 'ping':
      return { ok: true, msg: { type: 'ping' } };
    default:
      return fail('unknown-type', `unknown message type ${describeType(type)}`);
  }
}

function readBoundedString(
  record: Record<string, unknown>,
  field: string,
  maxChars: number,
): string | null {
  const value = Object.prototype.hasOwnProperty.call(record, field) ? record[field] : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxChars) return null;
  return value;
}

/**
 * Parses and validates one frame a signaling server sent (the browser client's side). A
 * delivery must carry `clients` as a non-negative integer. Never throws.
 */
export function parseSignalingServerMessage(
  text: string,
  maxBytes: number,
): SignalingParseResult<SignalingServerMessage> {
  const decoded = decodeFrame(text, maxBytes);
  if (!decoded.ok) return decoded;
  const { record, type } = decoded;
  switch (type) {
    case 'publish': {
      const publish = readPublish(record);
      if (!publish.ok) return publish;
      const clients = publish.msg['clients'];
      if (typeof clients !== 'number' || !Number.isSafeInteger(clients) || clients < 0) {
        return fail('bad-field', '"clients" must be a non-negative integer');
      }
      return { ok: true, msg: publish.msg as SignalingDelivery };
    }
    case 'pong':
      return { ok: true, msg: { type: 'pong' } };
    case 'error': {
      const code = readBoundedString(record, 'code', MAX_SIGNALING_ERROR_CODE_CHARS);
      if (code === null) {
        return fail(
          'bad-field',
          `"code" must be a string of 1..${MAX_SIGNALING_ERROR_CODE_CHARS} characters`,
        );
      }
      const rawMessage = Object.prototype.hasOwnProperty.call(record, 'message')
        ? record['message']
        : undefined;
      if (typeof rawMessage !== 'string' || rawMessage.length > MAX_SIGNALING_ERROR_MESSAGE_CHARS) {
        return fail(
          'bad-field',
          `"message" must be a string of at most ${MAX_SIGNALING_ERROR_MESSAGE_CHARS} characters`,
        );
      }
      return { ok: true, msg: { type: 'error', code, message: rawMessage } };
    }
    default:
      return fail('unknown-type', `unknown message type ${describeType(type)}`);
  }
}
