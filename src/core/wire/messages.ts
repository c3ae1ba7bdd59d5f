import type { AgentId } from '../base/ids';
import type { SwimMessage } from './swimMessages';

/** Version byte at the start of every peer frame; a peer speaking another version is refused. */
export const WIRE_VERSION = 1;

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

/** Round-trip probe; `sentAtMs` is echoed back so the prober needs no per-probe state beyond seq. */
export interface PingMessage {
  type: 'ping';
  seq: number;
  sentAtMs: number;
}

export interface PongMessage {
  type: 'pong';
  seq: number;
  sentAtMs: number;
}

/** The sender's open links with their measured round trips, so every agent can draw the mesh. */
export interface LinksMessage {
  type: 'links';
  links: { peer: AgentId; rttMs: number | null }[];
}

/** Graceful goodbye before a tab closes, so peers drop the link at once. */
export interface ByeMessage {
  type: 'bye';
}

export type PeerMessage =
  HelloMessage | PingMessage | PongMessage | LinksMessage | ByeMessage | SwimMessage;
export type PeerMessageType = PeerMessage['type'];
