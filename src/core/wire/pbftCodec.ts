import { isAgentId, type AgentId } from '../base/ids';
import {
  PBFT_MAX_ACTION_BYTES,
  PBFT_MAX_BATCH_REQUESTS,
  PBFT_MAX_REPLICAS,
  PBFT_MAX_RESULT_BYTES,
  PBFT_MAX_SNAPSHOT_BYTES,
  PBFT_MAX_WINDOW,
  type PbftCheckpoint,
  type PbftHeader,
  type PbftMessage,
  type PbftMessageType,
  type PbftPreparedProof,
  type PbftRequest,
  type PbftViewChange,
  type PbftVote,
} from './pbftMessages';

/**
 * Validates the JSON bodies of pBFT messages and rebuilds them from the known fields only, in
 * the key order of their interfaces, so a decoded message re-encodes to canonical JSON.
 */

const DIGEST_PATTERN = /^[0-9a-f]{64}$/;
const SIG_PATTERN = /^[0-9a-f]{128}$/;

/** Thrown inside this module only; parsePbftBody turns it into the returned text. */
class Invalid extends Error {}

function invalid(at: string, problem: string): never {
  throw new Invalid(`${at} ${problem}`);
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(at, 'is not an object');
  }
  return value as Record<string, unknown>;
}

function agentId(value: unknown, at: string): AgentId {
  if (!isAgentId(value)) invalid(at, 'is not an agent id');
  return value;
}

function digest(value: unknown, at: string): string {
  if (typeof value !== 'string' || !DIGEST_PATTERN.test(value)) invalid(at, 'is not 64 hex');
  return value;
}

/** Received statements are always signed: the sender's host signs its own before sending. */
function sig(value: unknown, at: string): string {
  if (typeof value !== 'string' || !SIG_PATTERN.test(value)) invalid(at, 'is not 128 hex');
  return value;
}

function index(value: unknown, at: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    invalid(at, 'is not a non-negative safe integer');
  }
  // JSON may spell -0; the statement bytes and deep equality both want 0.
  return (value as number) + 0;
}

/**
 * UTF-8 length of well-formed text, or -1 on a lone surrogate: TextEncoder would sign it as
 * U+FFFD, so two different texts would share one signature.
 */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit < 0xd800 || unit > 0xdfff) bytes += 3;
    else {
      const next = text.charCodeAt(i + 1);
      if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return -1;
      bytes += 4;
      i++;
    }
  }
  return bytes;
}

function text(value: unknown, at: string, maxBytes: number): string {
  if (typeof value !== 'string') invalid(at, 'is not a string');
  // A UTF-16 unit is at least one UTF-8 byte: a long string is refused before it is scanned.
  if (value.length > maxBytes) invalid(at, `is over ${maxBytes} bytes`);
  const bytes = utf8Length(value);
  if (bytes < 0) invalid(at, 'is not well-formed text');
  if (bytes > maxBytes) invalid(at, `is over ${maxBytes} bytes`);
  return value;
}

function list<T>(
  value: unknown,
  at: string,
  max: number,
  item: (v: unknown, at: string) => T,
): T[] {
  if (!Array.isArray(value)) invalid(at, 'is not an array');
  if (value.length > max) invalid(at, `has ${value.length} entries, over ${max}`);
  return value.map((entry, i) => item(entry, `${at}[${i}]`));
}

/** `at` is the path of the object whose fields are read ('' for the message itself). */
const field = (at: string, key: string): string => (at === '' ? key : `${at}.${key}`);

function request(value: unknown, at: string): PbftRequest {
  const r = record(value, at);
  return {
    client: agentId(r.client, field(at, 'client')),
    reqNo: index(r.reqNo, field(at, 'reqNo')),
    action: text(r.action, field(at, 'action'), PBFT_MAX_ACTION_BYTES),
    sig: sig(r.sig, field(at, 'sig')),
  };
}

const requests = (value: unknown, at: string): PbftRequest[] =>
  list(value, at, PBFT_MAX_BATCH_REQUESTS, request);

/** Also reads votes: they have a header's fields, and only their statement bytes differ. */
function header(value: unknown, at: string): PbftHeader {
  const h = record(value, at);
  return {
    view: index(h.view, field(at, 'view')),
    seq: index(h.seq, field(at, 'seq')),
    digest: digest(h.digest, field(at, 'digest')),
    replica: agentId(h.replica, field(at, 'replica')),
    sig: sig(h.sig, field(at, 'sig')),
  };
}

function checkpoint(value: unknown, at: string): PbftCheckpoint {
  const c = record(value, at);
  return {
    seq: index(c.seq, field(at, 'seq')),
    stateDigest: digest(c.stateDigest, field(at, 'stateDigest')),
    replica: agentId(c.replica, field(at, 'replica')),
    sig: sig(c.sig, field(at, 'sig')),
  };
}

const checkpoints = (value: unknown, at: string): PbftCheckpoint[] =>
  list(value, at, PBFT_MAX_REPLICAS, checkpoint);

function proof(value: unknown, at: string): PbftPreparedProof {
  const p = record(value, at);
  return {
    header: header(p.header, field(at, 'header')),
    prepares: list<PbftVote>(p.prepares, field(at, 'prepares'), PBFT_MAX_REPLICAS, header),
  };
}

function viewChange(value: unknown, at: string): PbftViewChange {
  const vc = record(value, at);
  return {
    newView: index(vc.newView, field(at, 'newView')),
    stableSeq: index(vc.stableSeq, field(at, 'stableSeq')),
    stableDigest: digest(vc.stableDigest, field(at, 'stableDigest')),
    checkpoints: checkpoints(vc.checkpoints, field(at, 'checkpoints')),
    prepared: list(vc.prepared, field(at, 'prepared'), PBFT_MAX_WINDOW, proof),
    replica: agentId(vc.replica, field(at, 'replica')),
    sig: sig(vc.sig, field(at, 'sig')),
  };
}

type PbftEntry = Extract<PbftMessage, { type: 'pbft-entries' }>['entries'][number];

function entry(value: unknown, at: string): PbftEntry {
  const e = record(value, at);
  return {
    seq: index(e.seq, field(at, 'seq')),
    digest: digest(e.digest, field(at, 'digest')),
    requests: requests(e.requests, field(at, 'requests')),
  };
}

function count(value: unknown, at: string): number {
  const n = index(value, at);
  if (n < 1 || n > PBFT_MAX_WINDOW) invalid(at, `is not within 1..${PBFT_MAX_WINDOW}`);
  return n;
}

function parse(type: PbftMessageType, f: Record<string, unknown>): PbftMessage {
  switch (type) {
    case 'pbft-request':
      return { type, ...request(f, '') };
    case 'pbft-pre-prepare':
      return { type, ...header(f, ''), requests: requests(f.requests, 'requests') };
    case 'pbft-prepare':
      return { type, ...header(f, '') };
    case 'pbft-commit':
      return {
        type,
        view: index(f.view, 'view'),
        seq: index(f.seq, 'seq'),
        digest: digest(f.digest, 'digest'),
      };
    case 'pbft-reply':
      return {
        type,
        view: index(f.view, 'view'),
        seq: index(f.seq, 'seq'),
        reqNo: index(f.reqNo, 'reqNo'),
        result: text(f.result, 'result', PBFT_MAX_RESULT_BYTES),
      };
    case 'pbft-checkpoint':
      return { type, ...checkpoint(f, '') };
    case 'pbft-view-change':
      return { type, ...viewChange(f, '') };
    case 'pbft-new-view':
      return {
        type,
        view: index(f.view, 'view'),
        viewChanges: list(f.viewChanges, 'viewChanges', PBFT_MAX_REPLICAS, viewChange),
        headers: list(f.headers, 'headers', PBFT_MAX_WINDOW, header),
        replica: agentId(f.replica, 'replica'),
        sig: sig(f.sig, 'sig'),
      };
    case 'pbft-batch-request':
      return { type, digest: digest(f.digest, 'digest') };
    case 'pbft-batch':
      return {
        type,
        digest: digest(f.digest, 'digest'),
        requests: requests(f.requests, 'requests'),
      };
    case 'pbft-state-request':
      return { type, aboveSeq: index(f.aboveSeq, 'aboveSeq') };
    case 'pbft-state':
      return {
        type,
        seq: index(f.seq, 'seq'),
        stateDigest: digest(f.stateDigest, 'stateDigest'),
        snapshot: text(f.snapshot, 'snapshot', PBFT_MAX_SNAPSHOT_BYTES),
        checkpoints: checkpoints(f.checkpoints, 'checkpoints'),
        replica: agentId(f.replica, 'replica'),
        sig: sig(f.sig, 'sig'),
      };
    case 'pbft-entries-request':
      return { type, fromSeq: index(f.fromSeq, 'fromSeq'), count: count(f.count, 'count') };
    case 'pbft-entries':
      return { type, entries: list(f.entries, 'entries', PBFT_MAX_WINDOW, entry) };
    case 'pbft-evidence':
      return { type, first: header(f.first, 'first'), second: header(f.second, 'second') };
  }
}

/**
 * Validates the decoded JSON body of a pBFT message field by field and rebuilds it; unknown
 * fields are dropped. Returns the message or a short text naming the bad field; never throws.
 */
export function parsePbftBody(
  type: PbftMessageType,
  fields: Record<string, unknown>,
): PbftMessage | string {
  try {
    return parse(type, fields);
  } catch (error) {
    if (error instanceof Invalid) return `${type} ${error.message}`;
    return `${type} unreadable: ${String(error).slice(0, 80)}`;
  }
}
