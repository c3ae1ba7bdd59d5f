import {
  agentId,
  field,
  hexOfLength,
  index,
  invalid,
  list,
  parseFields,
  record,
  text,
} from './fieldReaders';
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

const digest = (value: unknown, at: string): string => hexOfLength(value, at, 64);

/** Received statements are always signed: the sender's host signs its own before sending. */
const sig = (value: unknown, at: string): string => hexOfLength(value, at, 128);

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
  return parseFields(type, () => parse(type, fields));
}
