import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { PbftHeader, PbftMessage } from '../wire/pbftMessages';

/**
 * The replicated state machine a replica drives. Every method is deterministic: replicas that
 * apply the same actions in the same order hold the same state and return the same results.
 */
export interface ReplicatedApp {
  /** Applies one committed action (JSON text); returns the result as JSON text. Never throws. */
  apply(action: string, client: AgentId, seq: number): string;
  /** The whole state as text (a checkpoint's content). */
  snapshot(): string;
  /** Replaces the state with a snapshot taken by `snapshot` (state transfer). */
  restore(snapshot: string): void;
  /**
   * The replica set the state names after the last `apply`, in primary order, or null for no
   * opinion. When it differs from the running set, a new epoch with it starts after that
   * batch (README.md, "Reconfiguration"). Without this method the set never changes.
   */
  replicaSet?(): readonly AgentId[] | null;
}

/** Hex SHA-256 of some bytes; injected so the core needs no crypto library. */
export type DigestFn = (bytes: Uint8Array) => string;

/** Messages reaching a replica were decoded and had every signature verified by the host. */
export type PbftInput =
  | { kind: 'message'; from: AgentId; msg: PbftMessage; nowMs: Millis }
  | { kind: 'tick'; nowMs: Millis }
  /** A link to `peer` opened (first, or again after a cut or a restart): compare progress. */
  | { kind: 'peerUp'; peer: AgentId; nowMs: Millis };

export type PbftPhase = 'pre-prepared' | 'prepared' | 'committed';

export type ViewChangeReason = 'request-timeout' | 'view-change-timeout' | 'joined' | 'evidence';

export type PbftEvent =
  | { type: 'pbft-phase'; seq: number; view: number; phase: PbftPhase; digest: string }
  | {
      type: 'pbft-executed';
      seq: number;
      view: number;
      digest: string;
      requests: { client: AgentId; reqNo: number; kind: string; duplicate: boolean }[];
    }
  | { type: 'pbft-checkpoint-stable'; seq: number; stateDigest: string }
  | { type: 'pbft-view-change'; fromView: number; toView: number; reason: ViewChangeReason }
  | { type: 'pbft-new-view'; view: number; primary: AgentId; reproposed: number }
  | { type: 'pbft-state-transferred'; seq: number; from: AgentId }
  /** A new epoch: `replicas` from after `seq`; `member` false when this replica was left out. */
  | { type: 'pbft-reconfigured'; epoch: number; seq: number; replicas: AgentId[]; member: boolean }
  | { type: 'pbft-caught-up'; seq: number }
  | {
      type: 'pbft-misbehaviour';
      replica: AgentId;
      kind: 'equivocation';
      evidence: { first: PbftHeader; second: PbftHeader };
    };

/**
 * What a replica asks its host to do, in order. `send` statements the replica signs carry an
 * empty `sig`; the host signs each copy before it leaves (pbftSigningPlan).
 */
export type PbftEffect =
  | { kind: 'send'; to: AgentId[]; msg: PbftMessage }
  /** Write (and delete) these records before executing any effect after this one. */
  | { kind: 'persist'; puts: { key: string; value: string }[]; deletes: string[] }
  | { kind: 'event'; event: PbftEvent };

/** Why a message was not taken, counted per reason; a message never makes a replica throw. */
export type PbftRejection =
  | 'not-a-replica'
  | 'wrong-view'
  | 'not-primary'
  | 'outside-watermarks'
  | 'digest-mismatch'
  | 'conflicting-pre-prepare'
  | 'stale-request'
  | 'request-too-far-ahead'
  | 'client-rate'
  | 'pending-full'
  | 'bad-certificate'
  | 'bad-view-change'
  | 'bad-new-view'
  | 'bad-state'
  | 'unexpected';

export interface PbftSlotView {
  seq: number;
  view: number;
  digest: string;
  requestCount: number;
  prepares: number;
  commits: number;
  /** Replicas whose prepare, and whose commit, match the slot's digest (sorted). */
  preparedBy: AgentId[];
  committedBy: AgentId[];
  phase: PbftPhase | 'executed';
}

export interface PbftSnapshot {
  self: AgentId;
  /** `joining` until a joiner holds the state; `retired` once a change left this one out. */
  role: 'replica' | 'joining' | 'retired';
  /** The configuration's epoch, and the sequence number it started after. */
  epoch: number;
  epochStartSeq: number;
  replicas: AgentId[];
  n: number;
  f: number;
  quorum: number;
  view: number;
  primary: AgentId;
  /** 'normal', or the view this replica is changing to. */
  status: 'normal' | 'view-change';
  targetView: number;
  lastExecutedSeq: number;
  stableCheckpointSeq: number;
  lowWatermark: number;
  highWatermark: number;
  nextSeq: number;
  slots: PbftSlotView[];
  pendingRequests: number;
  /** Replicas proven to have misbehaved (evidence seen), sorted. */
  flagged: AgentId[];
  rejected: Partial<Record<PbftRejection, number>>;
  stats: { sent: number; executedRequests: number; viewChanges: number; stateTransfers: number };
}
