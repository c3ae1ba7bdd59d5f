import type { AgentId } from '../core/base/ids';
import type { ByzantineBehaviour } from '../core/wire/byzantineBehaviours';

/** How far one replica got with one sequence number, as this agent has seen from its messages. */
export type ReplicaSlotStatus = 'none' | 'pre-prepared' | 'prepared' | 'committed' | 'executed';

/** One sequence number in this agent's pBFT log window. */
export interface ConsensusSlotView {
  seq: number;
  view: number;
  /** The batch digest (hex), or '' before the pre-prepare arrived. */
  digest: string;
  requestCount: number;
  /** The kinds of the actions in the batch, when this agent holds the batch. */
  kinds: string[];
  /** This agent's own phase for the slot. */
  phase: 'pre-prepared' | 'prepared' | 'committed' | 'executed';
  /**
   * Every replica's progress as this agent has seen it: the primary's pre-prepare, prepares
   * (pre-prepared), commits (prepared); its own status in full.
   */
  replicas: Record<AgentId, ReplicaSlotStatus>;
}

/** What `mesh.critical.status()` returns. */
export interface CriticalStatus {
  /** The configuration: each committed change of the replica set starts the next epoch. */
  epoch: number;
  replicas: AgentId[];
  n: number;
  f: number;
  quorum: number;
  /** The view as pBFT numbers it (epoch * 2^20 + v), and v, the view within the epoch. */
  view: number;
  viewInEpoch: number;
  primary: AgentId | null;
  lastExecutedSeq: number;
  stableCheckpointSeq: number;
  behaviour: ByzantineBehaviour;
}

/** One executed action of `mesh.critical.log()`. */
export interface CriticalLogEntry {
  seq: number;
  /** Its place in the batch committed at `seq` (0 when unbatched). */
  index: number;
  /** The view in which this agent saw the sequence number commit. */
  view: number;
  /** SHA-256 (hex) of the action's JSON text. */
  digest: string;
  kind: string;
  proposer: AgentId;
}

/** A pBFT message this agent sent or received, for the dashboard's pulses over the edges. */
export interface ConsensusMessageView {
  atMs: number;
  from: AgentId;
  to: AgentId;
  /** 'pre-prepare', 'prepare', 'commit', 'checkpoint', 'view-change', 'new-view', ... */
  type: string;
  /** The sequence number it is about, or null (view changes, fetches). */
  seq: number | null;
}

export interface ConsensusViewChange {
  atMs: number;
  fromView: number;
  toView: number;
  reason: string;
}

export interface ConsensusMisbehaviour {
  atMs: number;
  replica: AgentId;
  kind: string;
  /** The evidence in words (for an equivocation: both signed headers' digests). */
  evidence: string;
}

/**
 * The Consensus tab's data for one agent. `forming` until the mesh agreed on its first replica
 * set; `client` when this agent is not a replica (it proposes but does not vote); `joining`
 * while a change that added it waits for its state.
 */
export interface ConsensusView {
  /** `joining` while a replica a change added takes the state by transfer. */
  role: 'forming' | 'replica' | 'joining' | 'client';
  /** While forming, what it waits for, in words; else null. */
  formingDetail: string | null;
  status: CriticalStatus;
  /** 'view-change' while this replica moves to `targetView`. */
  viewStatus: 'normal' | 'view-change';
  targetView: number;
  /** The log window (at most 64 slots), oldest first. */
  slots: ConsensusSlotView[];
  /** The newest executed actions (at most 50), oldest first. */
  log: CriticalLogEntry[];
  /** Checkpoints made stable (at most 8), oldest first. */
  checkpoints: { atMs: number; seq: number; stateDigest: string }[];
  /** View changes this agent took part in (at most 20), oldest first. */
  viewChanges: ConsensusViewChange[];
  /** Replicas proven to have misbehaved, with the evidence. */
  flagged: ConsensusMisbehaviour[];
  /** Messages of the last few seconds (at most 200), oldest first. */
  recentMessages: ConsensusMessageView[];
  /** Messages not taken, by reason. */
  rejected: Record<string, number>;
  /** Requests waiting to be ordered at this replica. */
  pendingRequests: number;
  /** This agent's proposals waiting for their result. */
  outstandingProposals: number;
}

/** What the Consensus tab may ask of the agent. */
export interface ConsensusCommands {
  /** Proposes the demo action (a counter increment); resolves once it committed. */
  proposeDemo(): Promise<{ seq: number; view: number }>;
}
