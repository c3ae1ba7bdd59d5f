import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { PeerMessage } from '../wire/messages';

export type LinksMessage = Extract<PeerMessage, { type: 'ping' | 'pong' | 'links' | 'bye' }>;

export type LinksInput =
  | { kind: 'linkUp'; peer: AgentId; nowMs: Millis }
  | { kind: 'linkDown'; peer: AgentId; reason: string; nowMs: Millis }
  | { kind: 'message'; from: AgentId; msg: LinksMessage; nowMs: Millis }
  | { kind: 'tick'; nowMs: Millis }
  /** The agent is going away: say bye on every link and forget them. */
  | { kind: 'leave'; nowMs: Millis }
  /** Another protocol of this agent decided to drop the link (a partial view trimmed it). */
  | { kind: 'close'; peer: AgentId; reason: string; nowMs: Millis };

/** How an agent is reached: heard on its own link, or through a neighbour's reach report. */
export type ReachVia = 'direct' | 'indirect';

export type LinksEvent =
  | { type: 'link-up'; peer: AgentId }
  | { type: 'link-down'; peer: AgentId; reason: string }
  | { type: 'link-refused'; peer: AgentId; reason: string }
  /**
   * An agent (not a neighbour only: also one heard of through one) became reached, or is heard
   * another way than before (its own link went quiet but a neighbour still hears it)...
   */
  | { type: 'reach-gained'; peer: AgentId; via: ReachVia; reason: string }
  /** ...or was not heard within the reach window, directly or through anyone. */
  | { type: 'reach-lost'; peer: AgentId; reason: string };

/** Close reasons the transport acts on: a peer that said bye is not reconnected to. */
export const REASON_PEER_LEFT = 'peer said bye';
export const REASON_SELF_LEFT = 'this agent left';

export type LinksEffect =
  | { kind: 'send'; to: AgentId; msg: LinksMessage }
  | { kind: 'close'; peer: AgentId; reason: string }
  | { kind: 'event'; event: LinksEvent };

export interface NeighbourView {
  peer: AgentId;
  /** Smoothed round trip, null until the first pong. */
  rttMs: number | null;
  lastRttMs: number | null;
  /** The most recent round-trip samples, oldest first (at most RTT_SAMPLES_KEPT). */
  recentRttMs: number[];
  upSinceMs: Millis;
  lastHeardMs: Millis;
}

export interface EdgeView {
  a: AgentId;
  b: AgentId;
  rttMs: number | null;
  /** 'self' for this agent's own links, 'peer' for links a neighbour advertised. */
  source: 'self' | 'peer';
}

export interface LinksSnapshot {
  self: AgentId;
  neighbours: NeighbourView[];
  edges: EdgeView[];
  /** Agents this one reaches (itself left out), sorted. */
  reach: { peer: AgentId; via: ReachVia }[];
}
