import { assert } from '../base/assert';
import type { AgentId } from '../base/ids';
import { RAFT_MAX_ENTRIES_PER_APPEND, RAFT_MAX_SNAPSHOT_CHUNK_CHARS } from '../wire/raftMessages';

/** Settings of one Raft node. README.md ("Timers" and "Limits") explains each default. */
export interface RaftConfig {
  selfId: AgentId;
  /** The voters of the first configuration (every node of a new cluster starts with the same). */
  initialVoters: readonly AgentId[];
  /** The leader's heartbeat period. */
  heartbeatMs: number;
  /** Election timeout drawn uniformly from [min, 2 min) each time the timer restarts. */
  electionTimeoutMinMs: number;
  /**
   * How far the minimum stretches while contacts come late (core/raft/contactGaps.ts): at most
   * to this; equal to `electionTimeoutMinMs`, never.
   */
  electionTimeoutCapMs: number;
  /**
   * A deadline found passed by more than a heartbeat (this node was held up) waits this long
   * once more for what arrived meanwhile before it counts; 0: never.
   */
  stallGraceMs: number;
  /** Ask for votes only once a majority would grant them (thesis 9.6). */
  preVote: boolean;
  /** A leader that has not heard from a majority for an election timeout steps down. */
  checkQuorum: boolean;
  maxEntriesPerAppend: number;
  /** Entry bytes (their JSON text) in one append; one entry always goes, whatever its size. */
  maxAppendBytes: number;
  /** Appends in flight to one follower in the replicate state (flow control). */
  maxInflightAppends: number;
  /** Entries a leader holds uncommitted before it refuses proposals as `overloaded`. */
  maxUncommittedEntries: number;
  /** Applied entries past the last snapshot after which the host is asked for a snapshot. */
  snapshotEveryEntries: number;
  /** Entries kept after the snapshot at most; beyond it a leader refuses proposals. */
  maxLogEntries: number;
  snapshotChunkChars: number;
  /** ReadIndex requests waiting for confirmation, and proposals forwarded to the leader. */
  maxPendingReads: number;
  maxForwardedProposals: number;
  /** A learner is promoted only when it is at most this many entries behind the leader. */
  promoteLagEntries: number;
}

export type RaftOverrides = Partial<Omit<RaftConfig, 'selfId' | 'initialVoters'>>;

export const DEFAULT_RAFT_CONFIG: Omit<RaftConfig, 'selfId' | 'initialVoters'> = {
  heartbeatMs: 50,
  electionTimeoutMinMs: 250,
  electionTimeoutCapMs: 1000,
  stallGraceMs: 100,
  preVote: true,
  checkQuorum: true,
  maxEntriesPerAppend: RAFT_MAX_ENTRIES_PER_APPEND,
  maxAppendBytes: 32 * 1024,
  maxInflightAppends: 8,
  maxUncommittedEntries: 1024,
  snapshotEveryEntries: 1024,
  maxLogEntries: 4096,
  snapshotChunkChars: RAFT_MAX_SNAPSHOT_CHUNK_CHARS,
  maxPendingReads: 1024,
  maxForwardedProposals: 256,
  promoteLagEntries: 64,
};

export function resolveRaftConfig(
  selfId: AgentId,
  initialVoters: readonly AgentId[],
  overrides: RaftOverrides = {},
): RaftConfig {
  const config: RaftConfig = { ...DEFAULT_RAFT_CONFIG, ...overrides, selfId, initialVoters };
  assert(initialVoters.length >= 1, 'a cluster needs a voter');
  assert(new Set(initialVoters).size === initialVoters.length, 'voters must be distinct');
  for (const key of [
    'heartbeatMs',
    'electionTimeoutMinMs',
    'maxEntriesPerAppend',
    'maxAppendBytes',
    'maxInflightAppends',
    'maxUncommittedEntries',
    'snapshotEveryEntries',
    'maxLogEntries',
    'snapshotChunkChars',
    'maxPendingReads',
    'maxForwardedProposals',
  ] as const) {
    assert(config[key] > 0, `${key} must be positive`);
  }
  assert(config.electionTimeoutMinMs > config.heartbeatMs, 'elections must outlast heartbeats');
  assert(
    config.electionTimeoutCapMs >= config.electionTimeoutMinMs,
    'electionTimeoutCapMs must be at least electionTimeoutMinMs',
  );
  assert(config.stallGraceMs >= 0, 'stallGraceMs must not be negative');
  assert(
    config.maxEntriesPerAppend <= RAFT_MAX_ENTRIES_PER_APPEND,
    'maxEntriesPerAppend over the wire limit',
  );
  assert(
    config.snapshotChunkChars <= RAFT_MAX_SNAPSHOT_CHUNK_CHARS,
    'snapshotChunkChars over the wire limit',
  );
  assert(
    config.maxLogEntries > config.snapshotEveryEntries,
    'the log must hold a snapshot interval',
  );
  return config;
}
