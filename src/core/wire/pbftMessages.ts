import type { AgentId } from '../base/ids';

/**
 * pBFT messages (core/pbft/README.md). Statements that may travel beyond the link they came on
 * (a proof inside a view change, a checkpoint certificate, a request inside a pre-prepare) carry
 * an Ed25519 signature `sig` of their signer over `pbftStatementBytes`; commits, replies and
 * fetches are only ever taken from the peer that sent them on an authenticated link, so they
 * carry none. A replica keeps its own statements unsigned; its host signs every copy it sends.
 */

/** Largest pBFT frame, in bytes (the codec's limit for these types). */
export const PBFT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Largest action (JSON text) a request may carry, in bytes. */
export const PBFT_MAX_ACTION_BYTES = 4096;
/** Largest result (JSON text) a reply may carry, in bytes. */
export const PBFT_MAX_RESULT_BYTES = 4096;
/** Largest replica set a message may name. */
export const PBFT_MAX_REPLICAS = 16;
/** Most requests in one batch (one pre-prepare). */
export const PBFT_MAX_BATCH_REQUESTS = 256;
/** Most sequence numbers a message may cover (prepared proofs, new-view pre-prepares). */
export const PBFT_MAX_WINDOW = 256;
/** Largest replicated-state snapshot a state message may carry, in bytes. */
export const PBFT_MAX_SNAPSHOT_BYTES = 512 * 1024;

/** A client's signed request: `action` is JSON text with a `kind`; reqNo grows per client. */
export interface PbftRequest {
  client: AgentId;
  reqNo: number;
  action: string;
  sig: string;
}

/** The signed part of a pre-prepare: the primary `replica` binds `digest` to (view, seq). */
export interface PbftHeader {
  view: number;
  seq: number;
  digest: string;
  replica: AgentId;
  sig: string;
}

/** A signed prepare vote, also the shape of a vote inside a prepared proof. */
export interface PbftVote {
  view: number;
  seq: number;
  digest: string;
  replica: AgentId;
  sig: string;
}

/** A signed checkpoint: `replica` executed up to `seq` and its state hashes to `stateDigest`. */
export interface PbftCheckpoint {
  seq: number;
  stateDigest: string;
  replica: AgentId;
  sig: string;
}

/** A prepared certificate: the primary's header plus a quorum less one of matching prepares. */
export interface PbftPreparedProof {
  header: PbftHeader;
  prepares: PbftVote[];
}

/** A replica's signed move to `newView`, with the proofs of what it has (Castro-Liskov 4.4). */
export interface PbftViewChange {
  newView: number;
  /** The sequence number of its stable checkpoint (0: the initial state). */
  stableSeq: number;
  stableDigest: string;
  /** A quorum of checkpoints proving the stable checkpoint (empty for seq 0). */
  checkpoints: PbftCheckpoint[];
  /** Every sequence number above stableSeq it prepared, with the proof of the newest view. */
  prepared: PbftPreparedProof[];
  replica: AgentId;
  sig: string;
}

export interface PbftRequestMessage extends PbftRequest {
  type: 'pbft-request';
}

/** The header and the batch it orders; the header's digest must be the batch's digest. */
export interface PbftPrePrepareMessage extends PbftHeader {
  type: 'pbft-pre-prepare';
  requests: PbftRequest[];
}

export interface PbftPrepareMessage extends PbftVote {
  type: 'pbft-prepare';
}

/** Channel-authenticated: the sender is the replica that commits. */
export interface PbftCommitMessage {
  type: 'pbft-commit';
  view: number;
  seq: number;
  digest: string;
}

/** To the client, from the replica that executed its request. */
export interface PbftReplyMessage {
  type: 'pbft-reply';
  view: number;
  seq: number;
  reqNo: number;
  /** JSON text: `{"ok":true,"value":…}` or `{"ok":false,"error":"…"}`. */
  result: string;
}

export interface PbftCheckpointMessage extends PbftCheckpoint {
  type: 'pbft-checkpoint';
}

export interface PbftViewChangeMessage extends PbftViewChange {
  type: 'pbft-view-change';
}

/** The new primary's signed start of `view`: the view changes it used and the re-proposals. */
export interface PbftNewViewMessage {
  type: 'pbft-new-view';
  view: number;
  viewChanges: PbftViewChange[];
  /** Headers for view `view`, one per sequence number from min-s + 1 to max-s. */
  headers: PbftHeader[];
  replica: AgentId;
  sig: string;
}

/** Ask a peer for the batch behind a digest (named in a new view, or a missed pre-prepare). */
export interface PbftBatchRequestMessage {
  type: 'pbft-batch-request';
  digest: string;
}

export interface PbftBatchMessage {
  type: 'pbft-batch';
  digest: string;
  requests: PbftRequest[];
}

/** Ask a peer for its stable checkpoint's state, if it is newer than `aboveSeq`. */
export interface PbftStateRequestMessage {
  type: 'pbft-state-request';
  aboveSeq: number;
}

/** A stable checkpoint's state and its certificate, signed by the sender as a whole. */
export interface PbftStateMessage {
  type: 'pbft-state';
  seq: number;
  stateDigest: string;
  /** The replicated state (application and client table) as text; hashes to stateDigest. */
  snapshot: string;
  checkpoints: PbftCheckpoint[];
  replica: AgentId;
  sig: string;
}

/** Ask a peer which batch it executed at each sequence number from `fromSeq` (at most `count`). */
export interface PbftEntriesRequestMessage {
  type: 'pbft-entries-request';
  fromSeq: number;
  count: number;
}

/** Executed batches, in order; a replica takes one once f+1 peers sent the same digest. */
export interface PbftEntriesMessage {
  type: 'pbft-entries';
  entries: { seq: number; digest: string; requests: PbftRequest[] }[];
}

/** Two headers signed by one primary for one (view, seq) with different digests. */
export interface PbftEvidenceMessage {
  type: 'pbft-evidence';
  first: PbftHeader;
  second: PbftHeader;
}

export type PbftMessage =
  | PbftRequestMessage
  | PbftPrePrepareMessage
  | PbftPrepareMessage
  | PbftCommitMessage
  | PbftReplyMessage
  | PbftCheckpointMessage
  | PbftViewChangeMessage
  | PbftNewViewMessage
  | PbftBatchRequestMessage
  | PbftBatchMessage
  | PbftStateRequestMessage
  | PbftStateMessage
  | PbftEntriesRequestMessage
  | PbftEntriesMessage
  | PbftEvidenceMessage;

export type PbftMessageType = PbftMessage['type'];

export const PBFT_MESSAGE_TYPES: readonly PbftMessageType[] = [
  'pbft-request',
  'pbft-pre-prepare',
  'pbft-prepare',
  'pbft-commit',
  'pbft-reply',
  'pbft-checkpoint',
  'pbft-view-change',
  'pbft-new-view',
  'pbft-batch-request',
  'pbft-batch',
  'pbft-state-request',
  'pbft-state',
  'pbft-entries-request',
  'pbft-entries',
  'pbft-evidence',
];

const PBFT_TYPE_SET = new Set<string>(PBFT_MESSAGE_TYPES);

export function isPbftMessageType(type: string): type is PbftMessageType {
  return PBFT_TYPE_SET.has(type);
}
