import { Agent } from '../../core/agent/agent';
import { createSeededPrng } from '../../core/base/prng';
import type { AgentId } from '../../core/base/ids';
import type { LinksConfig } from '../../core/links/config';
import { AgentHost } from '../../host/agentHost';
import type { LinkFault, MeshSnapshot, SignalingState } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import { wallClock } from './wallClock';
import type { Identity } from './identity';
import { MeshTransport, type LinkSetupTime } from './meshTransport';

import { SignalingClient, type SignalingSocket, type SocketFactory } from './signalingClient';
import type { PeerFactory } from './simplePeerTypes';

/** What an agent is told at start: where to meet, which room, how to reach peers. */
export interface MeshOptions {
  room: string;
  signalingUrl: string;
  iceServers: RTCIceServer[];
  /** Overrides of the links protocol's defaults. */
  links: Partial<Omit<LinksConfig, 'selfId'>>;
}

/** Topic prefix, so a stock y-webrtc room of the same name is a different topic. */
export const ROOM_TOPIC_PREFIX = 'mesh-coordinator/';

/**
 * One agent: its identity, the signaling client, the WebRTC transport and the host driving the
 * pure agent. The same class runs in a page and in Node; only the peer factory and the WebSocket
 * differ. The UI sees only snapshots and events from here.
 */
export class WebRtcMesh {
  readonly selfId: AgentId;
  private readonly host: AgentHost;
  private readonly transport: MeshTransport;
  private readonly signaling: SignalingClient;
  private readonly listeners = new Set<(event: MeshEvent) => void>();
  private signalingState: SignalingState = 'closed';

  constructor(
    identity: Identity,
    private readonly options: MeshOptions,
    createPeer: PeerFactory,
    // The WHATWG WebSocket fits SignalingSocket but for its handlers' `this` and event types.
    createSocket: SocketFactory = (url) => new WebSocket(url) as unknown as SignalingSocket,
  ) {
    this.selfId = identity.id;
    const emit = (event: Omit<MeshEvent, 'atMs'>) =>
      this.emit({ atMs: wallClock.nowMs(), ...event });
    this.signaling = new SignalingClient({
      url: options.signalingUrl,
      topic: ROOM_TOPIC_PREFIX + options.room,
      createSocket,
      onData: (data) => this.transport.onRoomData(data),
      onOpen: () => {
        emit({ level: 'info', kind: 'signaling-open', detail: options.signalingUrl });
        this.transport.announce();
      },
      onStateChange: (state) => {
        this.signalingState = state;
        if (state === 'closed')
          emit({ level: 'warn', kind: 'signaling-closed', detail: options.signalingUrl });
      },
      onError: (detail) => emit({ level: 'warn', kind: 'signaling-error', detail }),
    });
    this.transport = new MeshTransport({
      identity,
      room: options.room,
      createPeer,
      iceServers: options.iceServers,
      publish: (signal) => this.signaling.publish(signal),
      emit,
      nowMs: wallClock.nowMs,
    });
    // The seed only shapes ping order; it need not be secret.
    const seed = parseInt(identity.id.slice(0, 8), 16) ^ Math.floor(Math.random() * 2 ** 32);
    const agent = new Agent({
      selfId: identity.id,
      prng: createSeededPrng(seed),
      links: options.links,
    });
    this.host = new AgentHost({
      agent,
      transport: this.transport,
      clock: wallClock,
      observer: { onEvent: (event) => this.emit(event) },
    });
  }

  start(): void {
    this.emit({
      atMs: wallClock.nowMs(),
      level: 'info',
      kind: 'joined',
      detail: `room ${this.options.room}`,
    });
    this.host.start();
    this.signaling.start();
  }

  /** Says bye to every peer and closes everything; for page hide/unload. */
  leave(): void {
    this.host.leave();
    this.transport.stop();
    this.signaling.stop();
  }

  onEvent(listener: (event: MeshEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setFault(peer: AgentId, fault: LinkFault): void {
    this.transport.setFault(peer, fault);
  }

  /** Setup times of recent links. */
  setupTimes(): LinkSetupTime[] {
    return [...this.transport.setupTimes];
  }

  snapshot(): MeshSnapshot {
    const host = this.host.snapshot();
    const neighbours = new Map(host.agent.links.neighbours.map((n) => [n.peer, n]));
    return {
      selfId: this.selfId,
      room: this.options.room,
      nowMs: host.nowMs,
      signaling: {
        state: this.signalingState,
        url: this.options.signalingUrl,
        reconnects: this.signaling.reconnects,
      },
      links: this.transport.linkViews().map((link) => ({
        ...link,
        rttMs: neighbours.get(link.peer)?.rttMs ?? null,
        lastRttMs: neighbours.get(link.peer)?.lastRttMs ?? null,
        recentRttMs: neighbours.get(link.peer)?.recentRttMs ?? [],
      })),
      edges: host.agent.links.edges,
      members: [],
      quorum: { reachable: 1, membershipSize: 1, hasQuorum: true },
      chaos: { partition: null, frozenUntilMs: null },
      stats: {
        ...host.stats,
        connectionsCreated: this.transport.connectionsCreated,
        connectionBudget: this.transport.connectionBudget,
        handshakeFailures: this.transport.handshakeFailures,
      },
    };
  }

  private emit(event: MeshEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
