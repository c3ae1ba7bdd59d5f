import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { LoadSummary, MemberStatus, SwimMessage } from '../wire/swimMessages';

export type { LoadSummary, MemberStatus } from '../wire/swimMessages';

/** Close reason of a link this agent dropped to keep its partial view bounded (not a failure). */
export const REASON_VIEW_TRIM = 'not in the active view';

export type SwimInput =
  | { kind: 'linkUp'; peer: AgentId; nowMs: Millis }
  | { kind: 'linkDown'; peer: AgentId; reason: string; nowMs: Millis }
  | { kind: 'message'; from: AgentId; msg: SwimMessage; nowMs: Millis }
  | { kind: 'tick'; nowMs: Millis }
  /** This agent is leaving: announce the (pre-signed) departure to every neighbour at once. */
  | { kind: 'leave'; nowMs: Millis }
  /** The host's answer to a `sign` effect. Unknown request ids are ignored. */
  | { kind: 'signed'; requestId: number; signature: string; nowMs: Millis }
  /** The local load summary; signed and gossiped when it moved enough (bounded rate). */
  | { kind: 'setLoad'; load: LoadSummary; nowMs: Millis }
  /** A small application fact to gossip under `key` (bounded: see README LIMITS). */
  | { kind: 'publishFact'; key: string; value: string; nowMs: Millis }
  /** A gossip interval the mesh agreed on (a committed configuration change), from now on. */
  | { kind: 'setGossipInterval'; gossipIntervalMs: number; nowMs: Millis }
  /**
   * How the links protocol now hears `peer` within its reach window: on its own link, through a
   * neighbour, or not at all (null). Reached members are what the quorum counts; members heard
   * directly are not declared dead here.
   */
  | { kind: 'reach'; peer: AgentId; via: ReachVia | null; nowMs: Millis };

/** How a member is heard: on its own link, or only through a neighbour's reach report. */
export type ReachVia = 'direct' | 'indirect';

export type SwimEvent =
  | { type: 'member-alive'; peer: AgentId; incarnation: number; reason: string }
  | { type: 'member-suspect'; peer: AgentId; incarnation: number; by: AgentId; reason: string }
  | { type: 'member-dead'; peer: AgentId; incarnation: number; by: AgentId; reason: string }
  | { type: 'member-left'; peer: AgentId; incarnation: number; reason: string }
  /** A long-dead member left the agreed membership (the quorum denominator). */
  | { type: 'member-evicted'; peer: AgentId; incarnation: number; reason: string }
  /** This agent (peer = itself) was suspected, declared dead or thought older, and refuted it. */
  | { type: 'self-refuted'; peer: AgentId; incarnation: number; reason: string }
  /** This agent (peer = itself) lost or regained a quorum of the agreed membership. */
  | {
      type: 'quorum-lost' | 'quorum-gained';
      peer: AgentId;
      reachable: number;
      membershipSize: number;
      reason: string;
    }
  /** This agent (peer = itself) found its own inputs arriving late: it was frozen or starved. */
  | { type: 'stalled'; peer: AgentId; lateMs: number; reason: string };

export type SwimEventType = SwimEvent['type'];

export type SwimEffect =
  | { kind: 'send'; to: AgentId; msg: SwimMessage }
  /** Sign `bytes` with this agent's key; the answer comes back as a `signed` input. */
  | { kind: 'sign'; requestId: number; bytes: Uint8Array }
  /** Ask the transport for a link to a member learned of through gossip. */
  | { kind: 'connect'; peer: AgentId }
  /** Close a link to keep the partial view bounded; the agent routes it through the links protocol. */
  | { kind: 'dropLink'; peer: AgentId; reason: string }
  | { kind: 'event'; event: SwimEvent };

export interface SwimMemberView {
  id: AgentId;
  self: boolean;
  status: MemberStatus;
  incarnation: number;
  /** When this agent last changed the member's status. */
  sinceMs: Millis;
  /** The member's own load summary as gossiped, or null when unknown. */
  load: LoadSummary | null;
  /** Who reported the current suspicion, the original suspecter first (empty unless suspect). */
  suspectedBy: AgentId[];
  /** Independent confirmations of the current suspicion (Lifeguard). */
  confirmations: number;
  /** When the current suspicion becomes a dead verdict here, or null. */
  suspicionDeadlineMs: Millis | null;
  /** Why the current status was reached, in words. */
  reason: string | null;
  /** This agent has a link to the member. */
  linked: boolean;
  /** Heard within the reach window, on its link or through a neighbour (itself: always). */
  reached: boolean;
  /** The member counts in this agent's agreed membership (the quorum denominator). */
  agreed: boolean;
  /** The member's application facts. */
  facts: { key: string; value: string; version: number }[];
}

/** Which part of the agreed membership this agent reaches, and whether that is a majority. */
export interface QuorumView {
  /**
   * Agreed members this agent reaches (itself included when agreed): alive or suspect and heard
   * within the reach window, directly or through a neighbour; past fullMeshMax, held alive.
   */
  reachable: number;
  /** Agreed members: ever seen alive, minus signed leaves, minus evictions (README). */
  membershipSize: number;
  hasQuorum: boolean;
}

export interface SwimStats {
  probesSent: number;
  acksSent: number;
  probeRequestsSent: number;
  nacksSent: number;
  /** Probes sent for others (indirect probes relayed by this agent). */
  relayedProbesSent: number;
  gossipSent: number;
  digestsSent: number;
  summariesSent: number;
  statePagesSent: number;
  factsSent: number;
  factsReceived: number;
  /** Facts that changed this agent's view. */
  factsNew: number;
  forwardsSkippedRate: number;
  signRequests: number;
  membersRefused: number;
  queueDropped: number;
}

export interface SwimSnapshot {
  self: AgentId;
  incarnation: number;
  leaving: boolean;
  mode: 'full-mesh' | 'partial-view';
  members: SwimMemberView[];
  /** Members that count as reachable by the quorum's rule (QuorumView), itself included, sorted. */
  reachable: AgentId[];
  quorum: QuorumView;
  /** Lifeguard local health score, 0 (healthy) to localHealthMax - 1. */
  localHealth: number;
  /** Linked members (the active view in partial-view mode). */
  activeView: AgentId[];
  /** Alive members without a link: candidates to promote when an active link is lost. */
  passiveViewSize: number;
  /** Target size of the active view (partial-view mode). */
  activeViewTarget: number;
  queuedFacts: number;
  stats: SwimStats;
}
