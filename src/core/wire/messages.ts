import type { AgentId } from '../base/ids';
import type { PbftMessage } from './pbftMessages';
import type { RaftMessage } from './raftMessages';
import type { SwimMessage } from './swimMessages';

/** Version byte at the start of every peer frame; a peer speaking another version is refused. */
export const WIRE_VERSION = 2;

/** Largest peer frame accepted or sent, in bytes. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

/** Largest number of links one link-state advert may carry. */
export const MAX_ADVERT_LINKS = 256;

/** Link handshake: proves the sender holds the key behind its id and binds this connection. */
export interface HelloMessage {
  type: 'hello';
  /** Sender's agent id (hex of its raw Ed25519 public key). */
  id: AgentId;
  /** Ed25519 signature (hex) over the link-auth transcript, see linkAuth.ts. */
  signature: string;
}

/** Largest age a reach report can state; older evidence is reported as not heard. */
export const MAX_REACH_AGE_MS = 0xfffe;
/** The age that means "not heard recently" in a reach report. */
export const REACH_NOT_HEARD = 0xffff;

/**
 * How recently the sender heard each of its links, in the order of its advert `advertVersion`
 * (REACH_NOT_HEARD for a link it no longer hears). Lets the receiver count agents it reaches
 * through the sender, with the age of that evidence (core/links README, "Reach").
 */
export interface ReachReport {
  advertVersion: number;
  agesMs: number[];
}

/**
 * Round-trip probe; `sentAtMs` is echoed back so the prober needs no per-probe state beyond seq.
 * It may carry the sender's reach report.
 */
export interface PingMessage {
  type: 'ping';
  seq: number;
  sentAtMs: number;
  reach?: ReachReport;
}

export interface PongMessage {
  type: 'pong';
  seq: number;
  sentAtMs: number;
}

/** The sender's open links with their measured round trips, so every agent can draw the mesh. */
export interface LinksMessage {
  type: 'links';
  /** Numbers the sender's adverts (u32, wrapping), so a reach report can name the one it follows. */
  version: number;
  links: { peer: AgentId; rttMs: number | null }[];
}

/** Graceful goodbye before a tab closes, so peers drop the link at once. */
export interface ByeMessage {
  type: 'bye';
}

export type PeerMessage =
  | HelloMessage
  | PingMessage
  | PongMessage
  | LinksMessage
  | ByeMessage
  | SwimMessage
  | PbftMessage
  | RaftMessage;
export type PeerMessageType = PeerMessage['type'];
