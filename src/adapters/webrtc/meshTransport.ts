import { compareIds, shortId, type AgentId } from '../../core/base/ids';
import { REASON_PEER_LEFT, REASON_SELF_LEFT } from '../../core/links/types';
import { decodeRelayFrame, encodeRelayFrame, isRelayFrame } from '../../core/wire/relayFrame';
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
  /** Sends a room signal on its way: the signaling server, or the paths that work without it. */
  publish(signal: RoomSignal): void;
  /** Neighbours known to hold a link to `peer` (from their adverts), to relay signals through. */
  relayCandidates?(peer: AgentId): AgentId[];
  emit(event: Omit<MeshEvent, 'atMs'>): void;
  nowMs(): number;
  /** RTCPeerConnections this tab may create in its lifetime (Chromium stops at 500). */
  connectionBudget?: number;
  /** Links open or opening at once. */
  maxLinks?: number;
  handshakeTimeoutMs?: number;
  /** An offer with no signal back by then is retried (PeerLinkOptions.answerTimeoutMs). */
  answerTimeoutMs?: number;
  maxBufferedBytes?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Reconnect attempts to one peer before waiting for it to announce again. */
  maxReconnectAttempts?: number;
  /**
   * While no link is open, the announce is repeated this often (jittered): an agent alone in
   * the room whose announce, or every offer and answer, was lost still finds the others.
   */
  aloneAnnounceMs?: number;
}

/** How long one link took from its first signal: to an open data channel, to authenticated. */
export interface LinkSetupTime {
  peer: AgentId;
  initiator: boolean;
  channelOpenMs: number;
  authenticatedMs: number;
}

const MAX_SETUP_TIMES_KEPT = 100;
/** Signal nonces remembered to drop copies arriving by another path. */
const MAX_SEEN_NONCES = 512;
/** Neighbours a signal is relayed through when none is known to link to its target. */
const MAX_BLIND_RELAYS = 4;

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
  relayedSignals = 0;
  relayDrops = 0;
  private handler: TransportHandler | null = null;
  private readonly seenNonces = new Set<string>();
  /** Peers on the other side of a dashboard partition: no links, no signals. */
  private readonly cutOff = new Set<AgentId>();
  /**
   * Delay and loss injected per peer, kept here rather than on the link, so a link that drops
   * under 100 % loss and reconnects comes back with the same fault until a heal clears it.
   */
  private readonly injected = new Map<AgentId, { delayMs: number; dropRate: number }>();
  private readonly links = new Map<AgentId, PeerLink>();
  private readonly records = new Map<AgentId, PeerRecord>();
  private readonly budget: number;
  private readonly maxLinks: number;
  private stopped = false;
  private aloneTimer: ReturnType<typeof setTimeout> | null = null;
  /** Announces sent while no link was open (the dashboard and tests read it). */
  aloneAnnounces = 0;
  /** Repeated announces since a link was last open. */
  private aloneStretch = 0;

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

  bufferedBytes(peer: AgentId): number {
    return this.links.get(peer)?.bufferedBytes ?? 0;
  }

  close(peer: AgentId, reason: string): void {
    const record = this.record(peer);
    if (reason === REASON_PEER_LEFT || reason === REASON_SELF_LEFT) record.departed = true;
    this.links.get(peer)?.close(reason);
  }

  /**
   * Announces this agent in the room; called whenever the signaling socket (re)opens, and
   * repeated while no link is open. Peers with a link already ignore it; the others connect.
   * Once any link is open, membership learns of the rest and asks for their links itself.
   */
  announce(): void {
    if (this.stopped) return;
    this.options.publish({ type: 'announce', from: this.selfId });
    this.scheduleAloneAnnounce();
  }

  private scheduleAloneAnnounce(): void {
    if (this.aloneTimer !== null || this.stopped) return;
    const everyMs = this.options.aloneAnnounceMs ?? 5000;
    const delayMs = everyMs * (0.75 + 0.5 * Math.random());
    this.aloneTimer = setTimeout(() => {
      this.aloneTimer = null;
      if (this.stopped) return;
      const anyOpen = [...this.links.values()].some((link) => link.state === 'open');
      if (anyOpen) {
        this.aloneStretch = 0;
      } else {
        this.aloneAnnounces++;
        // Once per stretch alone: a tab alone in its room would fill the log otherwise.
        if (this.aloneStretch++ === 0) {
          this.options.emit({
            level: 'info',
            kind: 'announce-again',
            detail: 'no link open: announcing in the room again until one is',
          });
        }
        this.options.publish({ type: 'announce', from: this.selfId });
      }
      this.scheduleAloneAnnounce();
    }, delayMs);
  }

  /** Handles the `data` of a publish on the room topic, or a signal relayed by a peer. */
  onRoomData(data: unknown): void {
    if (this.stopped) return;
    const parsed = parseRoomSignal(data);
    if (!parsed.ok) {
      this.options.emit({ level: 'warn', kind: 'signal-rejected', detail: parsed.reason });
      return;
    }
    const signal = parsed.signal;
    if (signal.from === this.selfId) return;
    if (signal.nonce !== undefined) {
      // The same signal may come by the server, a sibling tab and a relaying peer.
      if (this.seenNonces.has(signal.nonce)) return;
      this.seenNonces.add(signal.nonce);
      if (this.seenNonces.size > MAX_SEEN_NONCES) {
        this.seenNonces.delete(this.seenNonces.values().next().value as string);
      }
    }
    if (this.isCutOff(signal.from)) return;
    if (signal.type === 'announce') this.onAnnounce(signal.from, signal.to);
    else if (signal.to === this.selfId) this.onSignal(signal.from, signal.signal);
  }

  setFault(peer: AgentId, fault: LinkView['fault']): void {
    const link = this.links.get(peer);
    if (link === undefined) throw new Error(`no link to ${shortId(peer)}`);
    const valid = validateFault(fault);
    link.fault.fault = valid;
    if (valid.delayMs === 0 && valid.dropRate === 0) this.injected.delete(peer);
    else this.injected.set(peer, { delayMs: valid.delayMs, dropRate: valid.dropRate });
  }

  /** Removes delay and loss from every link (cuts are the partition's, see setCutOff). */
  clearFaults(): void {
    this.injected.clear();
    for (const link of this.links.values()) {
      link.fault.fault = { cut: link.fault.fault.cut, delayMs: 0, dropRate: 0 };
    }
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

  /**
   * Sends a signal for `to` through neighbours (one hop): those known to link to it, else, when
   * `blind`, a few of any.
   */
  relaySignal(to: AgentId, signal: RoomSignal, blind = true): void {
    const open = [...this.links.values()].filter((link) => link.state === 'open');
    if (open.length === 0) return;
    const known = new Set(this.options.relayCandidates?.(to) ?? []);
    const direct = open.filter((link) => link.peer === to);
    const via = direct.length > 0 ? direct : open.filter((link) => known.has(link.peer));
    const chosen = via.length > 0 ? via : blind ? open.slice(0, MAX_BLIND_RELAYS) : [];
    const frame = encodeRelayFrame({ to, signal });
    for (const link of chosen) link.send(frame);
  }

  private onRelayFrame(from: AgentId, frame: Uint8Array): void {
    const decoded = decodeRelayFrame(frame);
    if (!decoded.ok) {
      this.relayDrops++;
      this.options.emit({
        level: 'warn',
        kind: 'relay-rejected',
        peer: from,
        detail: decoded.reason,
      });
      return;
    }
    const { to, signal } = decoded.relay;
    if (to === this.selfId) {
      this.onRoomData(signal);
      return;
    }
    // Forward one hop only, to the target itself; no flooding.
    const link = this.links.get(to);
    if (link !== undefined && link.state === 'open' && link.send(frame)) this.relayedSignals++;
    else this.relayDrops++;
  }

  /**
   * Cuts this agent off from `peers` (a dashboard partition): their links get a cut fault, new
   * links to them are refused, their signals ignored. An empty list heals.
   */
  setCutOff(peers: readonly AgentId[]): void {
    const healed = [...this.cutOff].filter((peer) => !peers.includes(peer));
    this.cutOff.clear();
    for (const peer of peers) this.cutOff.add(peer);
    for (const link of this.links.values()) {
      const cut = this.cutOff.has(link.peer);
      link.fault.fault = { ...link.fault.fault, cut };
    }
    // Links that timed out during the partition come back by themselves once it heals.
    for (const peer of healed) {
      const record = this.record(peer);
      record.attempts = 0;
      record.departed = false;
      this.connect(peer);
    }
  }

  private isCutOff(peer: AgentId): boolean {
    return this.cutOff.has(peer);
  }

  stop(): void {
    this.stopped = true;
    if (this.aloneTimer !== null) clearTimeout(this.aloneTimer);
    this.aloneTimer = null;
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
    if (this.stopped || peer === this.selfId || this.links.has(peer) || this.isCutOff(peer)) return;
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
      answerTimeoutMs: this.options.answerTimeoutMs ?? 5000,
      maxBufferedBytes: this.options.maxBufferedBytes ?? 1024 * 1024,
      nowMs: this.options.nowMs,
      sendSignal: (signal) =>
        this.options.publish({ type: 'signal', from: this.selfId, to: peer, signal }),
      onOpen: (opened) => this.onLinkOpen(opened),
      onFrame: (from, frame) => {
        if (isRelayFrame(frame)) this.onRelayFrame(from.peer, frame);
        else this.handler?.onFrame(from.peer, frame);
      },
      onClose: (closed, reason, handshakeFailed) =>
        this.onLinkClosed(closed, reason, handshakeFailed),
    });
    // A new connection to a peer keeps the faults set on the one before.
    const injected = this.injected.get(peer);
    if (injected !== undefined || this.cutOff.has(peer)) {
      link.fault.fault = {
        cut: this.cutOff.has(peer),
        delayMs: injected?.delayMs ?? 0,
        dropRate: injected?.dropRate ?? 0,
      };
    }
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
