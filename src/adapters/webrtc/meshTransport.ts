import { compareIds, shortId, type AgentId } from '../../core/base/ids';
import { REASON_PEER_LEFT, REASON_SELF_LEFT } from '../../core/links/types';
import { parseRoomSignal, type RoomSignal } from '../../core/wire/roomSignals';
import type { LinkView } from '../../host/meshSnapshot';
import type { MeshEvent, Transport, TransportHandler } from '../../host/ports';
import { backoffDelayMs } from './backoff';
import { validateFault } from './faultLayer';
import type { Identity } from './identity';
import { PeerLink } from './peerLink';
import type { PeerFactory } from './simplePeerTypes';

export interface MeshTransportOptions {
  identity: Identity;
  room: string;
  createPeer: PeerFactory;
  iceServers: RTCIceServer[];
  /** Publishes a room signal through the signaling server. */
  publish(signal: RoomSignal): void;
  emit(event: Omit<MeshEvent, 'atMs'>): void;
  nowMs(): number;
  /** RTCPeerConnections this tab may create in its lifetime (Chromium stops at 500). */
  connectionBudget?: number;
  /** Links open or opening at once. */
  maxLinks?: number;
  handshakeTimeoutMs?: number;
  maxBufferedBytes?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Reconnect attempts to one peer before waiting for it to announce again. */
  maxReconnectAttempts?: number;
}

/** How long one link took from its first signal: to an open data channel, to authenticated. */
export interface LinkSetupTime {
  peer: AgentId;
  initiator: boolean;
  channelOpenMs: number;
  authenticatedMs: number;
}

const MAX_SETUP_TIMES_KEPT = 100;

interface PeerRecord {
  attempts: number;
  departed: boolean;
  retryTimer: ReturnType<typeof setTimeout> | null;
}

/**
 * The Transport port over WebRTC: one connection per peer pair (the lower id offers, so offers
 * do not cross), signals relayed by the signaling server, bounded reconnection with backoff.
 */
export class MeshTransport implements Transport {
  connectionsCreated = 0;
  handshakeFailures = 0;
  framesDroppedNoLink = 0;
  /** Setup times of the most recent links, for the bench and the dashboard. */
  readonly setupTimes: LinkSetupTime[] = [];
  private handler: TransportHandler | null = null;
  private readonly links = new Map<AgentId, PeerLink>();
  private readonly records = new Map<AgentId, PeerRecord>();
  private readonly budget: number;
  private readonly maxLinks: number;
  private stopped = false;

  constructor(private readonly options: MeshTransportOptions) {
    this.budget = options.connectionBudget ?? 400;
    this.maxLinks = options.maxLinks ?? 64;
  }

  get selfId(): AgentId {
    return this.options.identity.id;
  }

  get connectionBudget(): number {
    return this.budget;
  }

  setHandler(handler: TransportHandler): void {
    this.handler = handler;
  }

  send(peer: AgentId, frame: Uint8Array): void {
    const link = this.links.get(peer);
    if (link === undefined || !link.send(frame)) this.framesDroppedNoLink++;
  }

  close(peer: AgentId, reason: string): void {
    const record = this.record(peer);
    if (reason === REASON_PEER_LEFT || reason === REASON_SELF_LEFT) record.departed = true;
    this.links.get(peer)?.close(reason);
  }

  /** Announces this agent in the room; called whenever the signaling socket (re)opens. */
  announce(): void {
    if (!this.stopped) this.options.publish({ type: 'announce', from: this.selfId });
  }

  /** Handles the `data` of a publish on the room topic. */
  onRoomData(data: unknown): void {
    if (this.stopped) return;
    const parsed = parseRoomSignal(data);
    if (!parsed.ok) {
      this.options.emit({ level: 'warn', kind: 'signal-rejected', detail: parsed.reason });
      return;
    }
    const signal = parsed.signal;
    if (signal.from === this.selfId) return;
    if (signal.type === 'announce') this.onAnnounce(signal.from, signal.to);
    else if (signal.to === this.selfId) this.onSignal(signal.from, signal.signal);
  }

  setFault(peer: AgentId, fault: LinkView['fault']): void {
    const link = this.links.get(peer);
    if (link === undefined) throw new Error(`no link to ${shortId(peer)}`);
    link.fault.fault = validateFault(fault);
  }

  linkViews(): Omit<LinkView, 'rttMs' | 'lastRttMs' | 'recentRttMs'>[] {
    return [...this.links.values()].map((link) => ({
      peer: link.peer,
      state: link.state,
      initiator: link.initiator,
      openSinceMs: link.openSinceMs,
      fault: { ...link.fault.fault },
      framesDroppedByFault: link.fault.dropped,
    }));
  }

  stop(): void {
    this.stopped = true;
    for (const record of this.records.values()) {
      if (record.retryTimer !== null) clearTimeout(record.retryTimer);
    }
    for (const link of [...this.links.values()]) link.close(REASON_SELF_LEFT);
  }

  private record(peer: AgentId): PeerRecord {
    let record = this.records.get(peer);
    if (record === undefined) {
      record = { attempts: 0, departed: false, retryTimer: null };
      this.records.set(peer, record);
    }
    return record;
  }

  private onAnnounce(from: AgentId, to: AgentId | undefined): void {
    if (to !== undefined && to !== this.selfId) return;
    const record = this.record(from);
    record.departed = false;
    record.attempts = 0;
    if (this.links.has(from)) return;
    this.connect(from);
  }

  private onSignal(from: AgentId, signal: unknown): void {
    const existing = this.links.get(from);
    const isOffer = (signal as { type?: unknown }).type === 'offer';
    if (existing !== undefined) {
      if (!isOffer) {
        existing.signal(signal);
        return;
      }
      // A fresh offer on a link we hold: the peer restarted, or offers crossed. The lower id's
      // offer wins a crossing; an offer to replace an open link means the peer lost it.
      if (existing.initiator && existing.state !== 'open' && compareIds(this.selfId, from) < 0)
        return;
      existing.close('replaced by a new offer from the peer');
    }
    if (!isOffer) return;
    const link = this.createLink(from, false);
    link?.signal(signal);
  }

  /** A link to a peer learned through the mesh: the lower id offers, the higher asks it to. */
  connect(peer: AgentId): void {
    if (this.stopped || peer === this.selfId || this.links.has(peer)) return;
    if (compareIds(this.selfId, peer) < 0) this.createLink(peer, true);
    else this.options.publish({ type: 'announce', from: this.selfId, to: peer });
  }

  private createLink(peer: AgentId, initiator: boolean): PeerLink | null {
    if (this.connectionsCreated >= this.budget) {
      this.options.emit({
        level: 'error',
        kind: 'connection-budget-exhausted',
        peer,
        detail: `${this.budget} connections created`,
      });
      return null;
    }
    if (this.links.size >= this.maxLinks) {
      this.options.emit({
        level: 'warn',
        kind: 'link-limit',
        peer,
        detail: `${this.maxLinks} links open`,
      });
      return null;
    }
    this.connectionsCreated++;
    this.options.emit({
      level: 'info',
      kind: 'connecting',
      peer,
      detail: initiator ? 'offering' : 'answering',
    });
    const link = new PeerLink({
      identity: this.options.identity,
      room: this.options.room,
      peer,
      initiator,
      createPeer: this.options.createPeer,
      iceServers: this.options.iceServers,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? 15_000,
      maxBufferedBytes: this.options.maxBufferedBytes ?? 1024 * 1024,
      nowMs: this.options.nowMs,
      sendSignal: (signal) =>
        this.options.publish({ type: 'signal', from: this.selfId, to: peer, signal }),
      onOpen: (opened) => this.onLinkOpen(opened),
      onFrame: (from, frame) => this.handler?.onFrame(from.peer, frame),
      onClose: (closed, reason, handshakeFailed) =>
        this.onLinkClosed(closed, reason, handshakeFailed),
    });
    this.links.set(peer, link);
    return link;
  }

  private onLinkOpen(link: PeerLink): void {
    this.record(link.peer).attempts = 0;
    const { firstSignalAtMs, channelOpenAtMs, openSinceMs } = link;
    if (firstSignalAtMs !== null && channelOpenAtMs !== null && openSinceMs !== null) {
      this.setupTimes.push({
        peer: link.peer,
        initiator: link.initiator,
        channelOpenMs: channelOpenAtMs - firstSignalAtMs,
        authenticatedMs: openSinceMs - firstSignalAtMs,
      });
      if (this.setupTimes.length > MAX_SETUP_TIMES_KEPT) this.setupTimes.shift();
    }
    this.handler?.onLinkUp(link.peer);
  }

  private onLinkClosed(link: PeerLink, reason: string, handshakeFailed: boolean): void {
    if (this.links.get(link.peer) !== link) return;
    this.links.delete(link.peer);
    if (handshakeFailed) {
      this.handshakeFailures++;
      this.options.emit({
        level: 'error',
        kind: 'handshake-failed',
        peer: link.peer,
        detail: reason,
      });
    }
    if (link.openSinceMs !== null) this.handler?.onLinkDown(link.peer, reason);
    else if (!handshakeFailed)
      this.options.emit({ level: 'warn', kind: 'connect-failed', peer: link.peer, detail: reason });
    this.scheduleReconnect(link.peer);
  }

  private scheduleReconnect(peer: AgentId): void {
    const record = this.record(peer);
    const maxAttempts = this.options.maxReconnectAttempts ?? 8;
    if (
      this.stopped ||
      record.departed ||
      record.retryTimer !== null ||
      record.attempts >= maxAttempts
    )
      return;
    const delayMs = backoffDelayMs(
      record.attempts++,
      this.options.reconnectBaseMs ?? 1000,
      this.options.reconnectMaxMs ?? 30_000,
      Math.random,
    );
    record.retryTimer = setTimeout(() => {
      record.retryTimer = null;
      if (this.stopped || record.departed || this.links.has(peer)) return;
      // Only the lower id offers; the higher one asks it to by announcing to it.
      this.connect(peer);
    }, delayMs);
  }
}
