import type { AgentId } from '../core/base/ids';
import type { Transport, TransportHandler } from '../host/ports';

/** What one agent's transport needs from the simulated network fabric. */
export interface SimWire {
  indexOf(id: AgentId): number | undefined;
  idOf(index: number): AgentId;
  /** Puts a frame on link `epoch` from `from` to `to`. */
  transmit(from: number, to: number, epoch: number, frame: Uint8Array): void;
  /** `from` closed its end of link `epoch` to `to`. */
  endClosed(from: number, to: number, epoch: number, reason: string): void;
  /** A send on a link that is not open. */
  dropNoLink(): void;
  /** `from` asks for a link to `to` (learned through the mesh); the fabric connects when it can. */
  requestLink(from: number, to: number): void;
}

/** Reason given to the agent when a new connection replaces a link it still thought open. */
export const REASON_REPLACED = 'replaced by a new connection';

/**
 * The Transport port for one simulated agent. Links here are authentic by construction (the
 * simulator is the network), so the cluster reports a link up as soon as it connects two agents;
 * the DTLS-bound handshake exists only on WebRTC links. Each link has an epoch, so frames and
 * close notices of an old connection never leak into a new one between the same two agents.
 */
export class SimTransport implements Transport {
  /** Open link ends: peer index -> link epoch. */
  readonly openEnds = new Map<number, number>();
  framesDroppedNoLink = 0;
  private handler: TransportHandler | null = null;

  constructor(
    readonly index: number,
    private readonly wire: SimWire,
  ) {}

  setHandler(handler: TransportHandler): void {
    this.handler = handler;
  }

  send(peer: AgentId, frame: Uint8Array): void {
    const to = this.wire.indexOf(peer);
    const epoch = to === undefined ? undefined : this.openEnds.get(to);
    if (to === undefined || epoch === undefined) {
      this.framesDroppedNoLink++;
      this.wire.dropNoLink();
      return;
    }
    this.wire.transmit(this.index, to, epoch, frame);
  }

  close(peer: AgentId, reason: string): void {
    const to = this.wire.indexOf(peer);
    if (to === undefined) return;
    const epoch = this.openEnds.get(to);
    if (epoch === undefined) return;
    this.openEnds.delete(to);
    this.wire.endClosed(this.index, to, epoch, reason);
  }

  connect(peer: AgentId): void {
    const to = this.wire.indexOf(peer);
    if (to !== undefined && to !== this.index && !this.openEnds.has(to)) {
      this.wire.requestLink(this.index, to);
    }
  }

  /** The cluster connected this agent to `peer`: a link still open to it is replaced. */
  open(peer: number, epoch: number): void {
    if (this.openEnds.has(peer)) {
      this.openEnds.delete(peer);
      this.handler?.onLinkDown(this.wire.idOf(peer), REASON_REPLACED);
    }
    this.openEnds.set(peer, epoch);
    this.handler?.onLinkUp(this.wire.idOf(peer));
  }

  /** The peer closed link `epoch`; returns whether this end was still open on it. */
  remoteClosed(peer: number, epoch: number, reason: string): boolean {
    if (this.openEnds.get(peer) !== epoch) return false;
    this.openEnds.delete(peer);
    this.handler?.onLinkDown(this.wire.idOf(peer), reason);
    return true;
  }

  /** A frame arrived on link `epoch`; returns false when that link is no longer open here. */
  deliver(peer: number, epoch: number, frame: Uint8Array): boolean {
    if (this.openEnds.get(peer) !== epoch) return false;
    this.handler?.onFrame(this.wire.idOf(peer), frame);
    return true;
  }

  /** The agent crashed: its ends vanish without a word to anyone. */
  reset(): void {
    this.openEnds.clear();
  }
}
