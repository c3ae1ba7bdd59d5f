import type { AgentId } from '../base/ids';

/**
 * Raft messages (core/raft/README.md). Every one is taken only from the peer that sent it on
 * an authenticated link, so none carries a signature: Raft trusts its members not to lie.
 * Every frame fits the peer frame limit (DEFAULT_MAX_FRAME_BYTES) with the limits below, even
 * when every character of an entry needs a six-character JSON escape.
 */

/** Largest entry payload (JSON text), in UTF-8 bytes. */
export const RAFT_MAX_ENTRY_BYTES = 4096;
/** Most entries in one append. */
export const RAFT_MAX_ENTRIES_PER_APPEND = 64;
/** Most voters plus learners a configuration may name. */
export const RAFT_MAX_MEMBERS = 32;
/** Largest snapshot chunk, in UTF-16 units of the snapshot text. */
export const RAFT_MAX_SNAPSHOT_CHUNK_CHARS = 8192;
/** Largest whole snapshot, in UTF-16 units. */
export const RAFT_MAX_SNAPSHOT_CHARS = 4 * 1024 * 1024;

export type RaftEntryKind = 'data' | 'config' | 'noop';
export const RAFT_ENTRY_KINDS: readonly RaftEntryKind[] = ['data', 'config', 'noop'];

/** One log entry. A config entry's data is `{"voters":[…],"learners":[…]}`; a noop's is ''. */
export interface RaftEntry {
  index: number;
  term: number;
  kind: RaftEntryKind;
  data: string;
}

/** Who votes and who only receives the log. Both sorted, disjoint. */
export interface RaftMembers {
  voters: AgentId[];
  learners: AgentId[];
}

/** A vote (or pre-vote) request; `transfer` marks one a leader asked for (no lease check). */
export interface RaftVoteMessage {
  type: 'raft-vote';
  term: number;
  lastIndex: number;
  lastTerm: number;
  preVote: boolean;
  transfer: boolean;
}

export interface RaftVoteResponseMessage {
  type: 'raft-vote-response';
  term: number;
  granted: boolean;
  preVote: boolean;
}

/** Entries after (prevIndex, prevTerm); `round` numbers the leader's heartbeat (ReadIndex). */
export interface RaftAppendMessage {
  type: 'raft-append';
  term: number;
  prevIndex: number;
  prevTerm: number;
  entries: RaftEntry[];
  commit: number;
  round: number;
}

/**
 * Success: the follower's log matches up to `matchIndex`. Failure: it does not hold
 * `rejectedIndex`'s term; the hint is where the leader should look next (fast backtracking):
 * the first index of the follower's term `hintTerm` there, or its last index + 1 (hintTerm 0).
 */
export interface RaftAppendResponseMessage {
  type: 'raft-append-response';
  term: number;
  success: boolean;
  matchIndex: number;
  rejectedIndex: number;
  hintIndex: number;
  hintTerm: number;
  round: number;
}

/** One chunk of the leader's snapshot, which covers the log up to `index`. */
export interface RaftSnapshotMessage {
  type: 'raft-snapshot';
  term: number;
  index: number;
  snapshotTerm: number;
  members: RaftMembers;
  offset: number;
  data: string;
  done: boolean;
}

/** The follower holds the snapshot's text up to `nextOffset`; `installed` once it took it. */
export interface RaftSnapshotResponseMessage {
  type: 'raft-snapshot-response';
  term: number;
  index: number;
  nextOffset: number;
  installed: boolean;
}

/** Leadership transfer: start an election now, skipping pre-vote. */
export interface RaftTimeoutNowMessage {
  type: 'raft-timeout-now';
  term: number;
}

/** A follower asks the leader for a read index (thesis 6.4); `id` is the follower's own. */
export interface RaftReadIndexMessage {
  type: 'raft-read-index';
  id: number;
}

export interface RaftReadIndexResponseMessage {
  type: 'raft-read-index-response';
  id: number;
  ok: boolean;
  index: number;
}

/** A follower forwards a client's entry to the leader; `id` is the follower's own. */
export interface RaftProposeMessage {
  type: 'raft-propose';
  id: number;
  data: string;
}

/** Where the leader put a forwarded entry (ok), or why it did not. */
export interface RaftProposeResponseMessage {
  type: 'raft-propose-response';
  id: number;
  ok: boolean;
  index: number;
  term: number;
  reason: RaftProposalRefusal | '';
}

/** Why a leader (or a node that is not one) refuses a proposal. */
export type RaftProposalRefusal = 'no-leader' | 'too-large' | 'overloaded' | 'transferring';
export const RAFT_PROPOSAL_REFUSALS: readonly RaftProposalRefusal[] = [
  'no-leader',
  'too-large',
  'overloaded',
  'transferring',
];

export type RaftMessage =
  | RaftVoteMessage
  | RaftVoteResponseMessage
  | RaftAppendMessage
  | RaftAppendResponseMessage
  | RaftSnapshotMessage
  | RaftSnapshotResponseMessage
  | RaftTimeoutNowMessage
  | RaftReadIndexMessage
  | RaftReadIndexResponseMessage
  | RaftProposeMessage
  | RaftProposeResponseMessage;

export type RaftMessageType = RaftMessage['type'];

export const RAFT_MESSAGE_TYPES: readonly RaftMessageType[] = [
  'raft-vote',
  'raft-vote-response',
  'raft-append',
  'raft-append-response',
  'raft-snapshot',
  'raft-snapshot-response',
  'raft-timeout-now',
  'raft-read-index',
  'raft-read-index-response',
  'raft-propose',
  'raft-propose-response',
];

const RAFT_TYPE_SET = new Set<string>(RAFT_MESSAGE_TYPES);

export function isRaftMessageType(type: string): type is RaftMessageType {
  return RAFT_TYPE_SET.has(type);
}
