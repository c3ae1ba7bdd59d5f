import type { AgentId } from '../core/base/ids';
import type { Millis } from '../core/base/time';

/** What a transport reports upward. Frames arrive only from authenticated, open links. */
export interface TransportHandler {
  onLinkUp(peer: AgentId): void;
  onLinkDown(peer: AgentId, reason: string): void;
  onFrame(peer: AgentId, frame: Uint8Array): void;
}

/** Links to peers: WebRTC data channels in the browser, the packet simulator in Node. */
export interface Transport {
  setHandler(handler: TransportHandler): void;
  /** Best effort; a send on a link that is not open is dropped (and counted by the transport). */
  send(peer: AgentId, frame: Uint8Array): void;
  close(peer: AgentId, reason: string): void;
  /**
   * Asks for a link to a peer the agent learned of (through gossip, not the signaling server).
   * Best effort: a link that comes up is reported through onLinkUp.
   */
  connect(peer: AgentId): void;
  /**
   * Bytes queued on the link and not yet sent, for senders that pace bulk data (the shared
   * document's sync); a transport without queues leaves it out.
   */
  bufferedBytes?(peer: AgentId): number;
}

/**
 * Signing with this agent's key and checking others' signatures. Callbacks may run at once (the
 * simulator) or later (WebCrypto); the host serialises what they feed back.
 */
export interface CryptoPort {
  sign(bytes: Uint8Array, done: (signatureHex: string) => void): void;
  verify(
    signer: AgentId,
    signatureHex: string,
    bytes: Uint8Array,
    done: (valid: boolean) => void,
  ): void;
}

export type TimerHandle = unknown;

/** Wall clock in the browser, virtual clock in the simulator. */
export interface Clock {
  nowMs(): Millis;
  setTimer(atMs: Millis, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export type MeshEventLevel = 'info' | 'warn' | 'error';

/** One line of the event log: joined, connected, disconnected, rejected frames, errors. */
export interface MeshEvent {
  atMs: Millis;
  level: MeshEventLevel;
  /** Short machine-readable kind, e.g. 'link-up', 'handshake-failed', 'frame-rejected'. */
  kind: string;
  peer?: AgentId;
  detail?: string;
}

export interface Observer {
  onEvent(event: MeshEvent): void;
}
