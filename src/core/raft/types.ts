import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type {
  RaftEntry,
  RaftMembers,
  RaftMessage,
  RaftProposalRefusal,
} from '../wire/raftMessages';
import type { RaftMemberChange } from './members';

export type RaftRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Messages reaching a node came from `from` over an authenticated link. */
export type RaftInput =
  | { kind: 'message'; from: AgentId; msg: RaftMessage; nowMs: Millis }
  | { kind: 'tick'; nowMs: Millis }
  /** A client's entry; `id` is the caller's, echoed in the `proposal` effect. */
  | { kind: 'propose'; id: number; data: string; nowMs: Millis }
  /** A linearizable read: the `read` effect names the index to wait for (ReadIndex). */
  | { kind: 'read'; id: number; nowMs: Millis }
  | { kind: 'changeMembers'; id: number; change: RaftMemberChange; nowMs: Millis }
  /**
   * `leaving`: the leader is about to stop, so it sends TimeoutNow at once instead of waiting
   * until `to` has caught up (best effort: `to` may lose, and the group elects as after a crash).
   */
  | { kind: 'transferLeadership'; to: AgentId; nowMs: Millis; leaving?: boolean }
  /** The host's state machine as text after applying up to `index` (asked by snapshotWanted). */
  | { kind: 'snapshot'; index: number; data: string; nowMs: Millis };

/** A snapshot as a node keeps and stores it. */
export interface RaftStoredSnapshot {
  index: number;
  term: number;
  members: RaftMembers;
  data: string;
}

export interface RaftHardState {
  term: number;
  votedFor: AgentId | null;
  commitIndex: number;
}

/** What a node stored, handed back to it when it restarts. */
export interface RaftDurableState {
  hard: RaftHardState;
  snapshot: RaftStoredSnapshot | null;
  entries: RaftEntry[];
}

export type ElectionReason = 'timeout' | 'transfer';
export type StepDownReason = 'higher-term' | 'check-quorum' | 'removed';

export type RaftEvent =
  | { type: 'raft-election'; term: number; reason: ElectionReason; preVote: boolean }
  /** This node won `term`, or (as a follower) first heard from the leader of it. */
  | { type: 'raft-leader'; term: number; leader: AgentId }
  | { type: 'raft-step-down'; term: number; reason: StepDownReason }
  | { type: 'raft-members'; index: number; members: RaftMembers }
  | { type: 'raft-snapshot-installed'; index: number; from: AgentId }
  | { type: 'raft-transfer'; to: AgentId; outcome: 'started' | 'aborted' };

export type ProposalResult =
  | { ok: true; index: number; term: number }
  /** `unanswered`: forwarded to a leader that never said where it went; its fate is unknown. */
  | { ok: false; reason: RaftProposalRefusal | 'change-refused' | 'unanswered'; detail?: string };

export type ReadResult =
  { ok: true; index: number } | { ok: false; reason: 'no-leader' | 'overloaded' };

/**
 * What a node asks of its host, in order. A `persist` must be durable before any effect after
 * it runs (Raft's votes and acknowledgements are promises about stored state).
 */
export type RaftEffect =
  | { kind: 'send'; to: AgentId; msg: RaftMessage }
  /**
   * Store: the hard state (when given); drop the entries from `truncateFrom` on (when given);
   * write `entries`; when `snapshot` is given, store it and drop every entry it covers.
   */
  | {
      kind: 'persist';
      hard: RaftHardState | null;
      truncateFrom: number | null;
      entries: RaftEntry[];
      snapshot: RaftStoredSnapshot | null;
    }
  /** Committed entries, in order, each exactly once (noops and config entries included). */
  | { kind: 'apply'; entries: RaftEntry[] }
  /** Replace the state machine with a snapshot's (installed from the leader). */
  | { kind: 'restore'; snapshot: RaftStoredSnapshot }
  /** The log has grown: hand a snapshot of the state at `index` (the applied index) back. */
  | { kind: 'snapshotWanted'; index: number }
  | { kind: 'proposal'; id: number; result: ProposalResult }
  | { kind: 'read'; id: number; result: ReadResult }
  | { kind: 'event'; event: RaftEvent };

/** Why a message was not taken, counted per reason; a message never makes a node throw. */
export type RaftRejection =
  | 'stale-term'
  | 'in-lease'
  | 'not-a-member'
  | 'not-leader'
  | 'no-progress'
  | 'snapshot-out-of-order'
  | 'snapshot-too-large'
  | 'bad-snapshot'
  | 'conflicts-with-commit'
  /** A success that acknowledges entries past the leader's log. */
  | 'bad-match'
  /** A follower refused an index it had acknowledged: it restarted without its storage. */
  | 'lost-storage'
  /** A forwarded proposal that came again (a duplicated message): answered, not appended. */
  | 'duplicate-forward';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export interface RaftProgressView {
  peer: AgentId;
  voter: boolean;
  matchIndex: number;
  nextIndex: number;
  state: ProgressState;
  inflight: number;
  active: boolean;
}

export interface RaftSnapshotView {
  self: AgentId;
  role: RaftRole;
  term: number;
  leader: AgentId | null;
  votedFor: AgentId | null;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  lastTerm: number;
  snapshotIndex: number;
  voters: AgentId[];
  learners: AgentId[];
  /** The leader's view of each follower (empty elsewhere). */
  progress: RaftProgressView[];
  transferee: AgentId | null;
  pendingReads: number;
  rejected: Partial<Record<RaftRejection, number>>;
  stats: {
    elections: number;
    sent: number;
    snapshotsSent: number;
    snapshotsInstalled: number;
    /** Deadlines pushed back once because this node was held up past them. */
    stallGraces: number;
  };
  /** The election timeout's minimum now, stretched while contacts come late. */
  electionTimeoutMs: number;
}
