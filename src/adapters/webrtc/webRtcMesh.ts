import { Agent } from '../../core/agent/agent';
import { createSeededPrng } from '../../core/base/prng';
import type { AgentId } from '../../core/base/ids';
import type { LinksConfig } from '../../core/links/config';
import { AgentHost } from '../../host/agentHost';
import { FrameLanes } from '../../host/frameLanes';
import type {
  LinkFault,
  MeshCommands,
  MeshSnapshot,
  SignalingState,
} from '../../host/meshSnapshot';
import type { RoomSignal } from '../../core/wire/roomSignals';
import {
  decodeChaosFrame,
  encodeChaosFrame,
  type ChaosAck,
  type ChaosCommand,
} from '../../core/wire/chaosCommand';
import type { ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import { CHAOS_LANE_TYPE_CODE } from '../../core/wire/lanes';
import type { MeshEvent, Transport } from '../../host/ports';
import { ChaosController } from './chaosController';
import { startLoadMonitor, type LoadMonitor } from './loadMonitor';
import { randomHex } from './randomHex';
import { wallClock } from './wallClock';
import { webCryptoPort } from './webCryptoPort';
import type { Identity } from './identity';
import { MeshTransport, type LinkSetupTime, type MeshTransportOptions } from './meshTransport';

import { SignalingClient, type SignalingSocket, type SocketFactory } from './signalingClient';
import type { PeerFactory } from './simplePeerTypes';

/** What an agent is told at start: where to meet, which room, how to reach peers. */
export interface MeshOptions {
  room: string;
  signalingUrl: string;
  iceServers: RTCIceServer[];
  /** Overrides of the links protocol's defaults. */
  links: Partial<Omit<LinksConfig, 'selfId'>>;
  /**
   * Also signal over a BroadcastChannel to tabs of the same browser, so a reloaded tab can rejoin
   * through a sibling while the signaling server is down. Pages turn it on; Node agents need not.
   */
  siblingChannel?: boolean;
  /** Transport timings, for tests that make failures and retries happen fast. */
  transport?: Pick<
    MeshTransportOptions,
    | 'aloneAnnounceMs'
    | 'handshakeTimeoutMs'
    | 'answerTimeoutMs'
    | 'reconnectBaseMs'
    | 'reconnectMaxMs'
  >;
}

/** How often the local load is handed to the agent (it gossips only real changes). */
const LOAD_REPORT_EVERY_MS = 2000;

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
  /** The links, shared between the agent host and the shared document. */
  private readonly lanes: FrameLanes;
  private readonly signaling: SignalingClient;
  private readonly listeners = new Set<(event: MeshEvent) => void>();
  private signalingState: SignalingState = 'closed';
  private readonly siblings: BroadcastChannel | null;
  private readonly chaos: ChaosController;
  private readonly chaosLane: Transport;
  /** Neighbours the chaos lane can reach: links up now. */
  private readonly chaosPeers = new Set<AgentId>();
  private loadMonitor: LoadMonitor | null = null;
  private behaviourHandler: ((behaviour: ByzantineBehaviour) => void) | null = null;
  /** The latest behaviour commanded for this agent before any handler was set. */
  private unhandledBehaviour: ByzantineBehaviour | null = null;
  private slowHandler: ((factor: number) => void) | null = null;
  /** The latest slowdown commanded for this agent before any handler was set. */
  private unhandledSlowdown: number | null = null;
  private loadTimer: ReturnType<typeof setInterval> | null = null;

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
      onData: (data) => this.onRoomData(data),
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
      publish: (signal) => this.sendSignal(signal),
      relayCandidates: (peer) => this.relayCandidates(peer),
      emit,
      nowMs: wallClock.nowMs,
      ...options.transport,
    });
    this.siblings =
      options.siblingChannel === true && typeof BroadcastChannel !== 'undefined'
        ? new BroadcastChannel(ROOM_TOPIC_PREFIX + options.room)
        : null;
    if (this.siblings !== null) {
      this.siblings.onmessage = (event: MessageEvent) => this.onRoomData(event.data);
    }
    this.chaos = new ChaosController({
      identity,
      transport: this.transport,
      broadcast: (message) => this.sendChaos(message, null, true),
      forward: (message, except, everyPath) => this.sendChaos(message, except, everyPath),
      knownAgents: () =>
        this.host.snapshot().agent.swim.members.flatMap((m) => (m.status === 'left' ? [] : [m.id])),
      emit,
      nowMs: wallClock.nowMs,
      blockFor: (ms) => {
        const until = performance.now() + ms;
        while (performance.now() < until) {
          // A hung tab: nothing runs, nothing answers.
        }
      },
      applyBehaviour: (behaviour) => this.applyBehaviour(behaviour),
      applySlowdown: (factor) => this.applySlowdown(factor),
    });
    // The seed only shapes ping order; it need not be secret.
    const seed = parseInt(identity.id.slice(0, 8), 16) ^ Math.floor(Math.random() * 2 ** 32);
    const agent = new Agent({
      selfId: identity.id,
      prng: createSeededPrng(seed),
      links: options.links,
    });
    const crypto = webCryptoPort(identity, (detail) =>
      emit({ level: 'error', kind: 'crypto-error', detail }),
    );
    this.lanes = new FrameLanes(this.transport);
    this.host = new AgentHost({
      crypto,
      agent,
      transport: this.lanes.agentLane,
      clock: wallClock,
      observer: { onEvent: (event) => this.emit(event) },
    });
    this.chaosLane = this.lanes.lane(CHAOS_LANE_TYPE_CODE);
    this.chaosLane.setHandler({
      onLinkUp: (peer) => this.chaosPeers.add(peer),
      onLinkDown: (peer) => this.chaosPeers.delete(peer),
      onFrame: (peer, frame) => {
        const data = decodeChaosFrame(frame);
        if (data === null) {
          emit({ level: 'warn', kind: 'chaos-rejected', peer, detail: 'unreadable chaos frame' });
          return;
        }
        void this.chaos.receive(data, peer);
      },
    });
  }

  /**
   * Sends a chaos command or ack to every neighbour but `except` (cut links drop it) and, with
   * `everyPath`, to the room through the signaling server and to sibling tabs.
   */
  private sendChaos(
    message: ChaosCommand | ChaosAck,
    except: AgentId | null,
    everyPath: boolean,
  ): void {
    if (everyPath) {
      if (this.signaling.state === 'open') this.signaling.publish(message);
      this.siblings?.postMessage(message);
    }
    const frame = encodeChaosFrame(message);
    if (frame === null) return;
    for (const peer of this.chaosPeers) if (peer !== except) this.chaosLane.send(peer, frame);
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
    // Sibling tabs hear this at once; the server hears it when the socket opens.
    this.transport.announce();
    const monitor = startLoadMonitor();
    this.loadMonitor = monitor;
    this.loadTimer = setInterval(
      () => this.host.setLoad({ cpu: monitor.cpu() }),
      LOAD_REPORT_EVERY_MS,
    );
  }

  /** A Transport over this agent's links for the frames with `typeCode` (host/frameLanes). */
  openLane(typeCode: number): Transport {
    return this.lanes.lane(typeCode);
  }

  /** Publishes a small fact (≤ 256 characters) under `key`, gossiped to every member. */
  publishFact(key: string, value: string): void {
    this.host.publishFact(key, value);
  }

  /** Applies an agreed gossip interval to membership, from now on. */
  setGossipIntervalMs(gossipIntervalMs: number): void {
    this.host.setGossipIntervalMs(gossipIntervalMs);
  }

  /** A Transport over this agent's links for the frames with any of `typeCodes`. */
  openLanes(typeCodes: readonly number[]): Transport {
    return this.lanes.lanes(typeCodes);
  }

  /** The newest fact `subject` published under `key`, as this agent knows it, or null. */
  appFact(subject: AgentId, key: string): string | null {
    return this.host.appFact(subject, key);
  }

  /** The agreed membership (the quorum denominator), sorted. */
  agreedMembers(): AgentId[] {
    return this.host.agreedMembers();
  }

  /** The dashboard's chaos commands. */
  get commands(): MeshCommands {
    return this.chaos;
  }

  /**
   * Who switches this agent's pBFT replica when a signed command sets its behaviour. A command
   * that came before the handler (the replica starts after the mesh) is handed over at once.
   */
  onBehaviourCommand(handler: (behaviour: ByzantineBehaviour) => void): void {
    this.behaviourHandler = handler;
    const early = this.unhandledBehaviour;
    this.unhandledBehaviour = null;
    if (early !== null) handler(early);
  }

  private applyBehaviour(behaviour: ByzantineBehaviour): void {
    if (this.behaviourHandler === null) this.unhandledBehaviour = behaviour;
    else this.behaviourHandler(behaviour);
  }

  /**
   * Who slows this agent's task runs when a signed command sets its slowdown (1: normal). A
   * command that came before the listener (the task pool starts after the mesh) is handed over
   * at once.
   */
  onSlowCommand(listener: (factor: number) => void): void {
    this.slowHandler = listener;
    const early = this.unhandledSlowdown;
    this.unhandledSlowdown = null;
    if (early !== null) listener(early);
  }

  private applySlowdown(factor: number): void {
    if (this.slowHandler === null) this.unhandledSlowdown = factor;
    else this.slowHandler(factor);
  }

  private onRoomData(data: unknown): void {
    if (
      typeof data === 'object' &&
      data !== null &&
      ((data as { type?: unknown }).type === 'chaos' ||
        (data as { type?: unknown }).type === 'chaos-ack')
    ) {
      void this.chaos.receive(data);
      return;
    }
    this.transport.onRoomData(data);
  }

  /**
   * Routes a signal by every path that may reach its target: the signaling server while it is
   * up, sibling tabs always (a sibling that announced before its own socket opened cannot hear
   * the server yet), and for a signal meant for one peer, neighbours known to link to it (while
   * the server is down, a few neighbours at all): the peer's own socket may be the one that is
   * down. A nonce lets receivers drop the copies that come by more than one path.
   */
  private sendSignal(signal: RoomSignal): void {
    const stamped: RoomSignal = { ...signal, nonce: randomHex(12) };
    const serverUp = this.signaling.state === 'open';
    if (serverUp) this.signaling.publish(stamped);
    this.siblings?.postMessage(stamped);
    if (stamped.to !== undefined) this.transport.relaySignal(stamped.to, stamped, !serverUp);
  }

  private relayCandidates(peer: AgentId): AgentId[] {
    const edges = this.host.snapshot().agent.links.edges;
    return edges.flatMap((edge) => (edge.a === peer ? [edge.b] : edge.b === peer ? [edge.a] : []));
  }

  /** Says bye to every peer and closes everything; for page hide/unload. */
  leave(): void {
    if (this.loadTimer !== null) clearInterval(this.loadTimer);
    this.loadMonitor?.stop();
    this.host.leave();
    this.transport.stop();
    this.signaling.stop();
    this.siblings?.close();
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
      members: host.agent.swim.members.map((member) => ({
        id: member.id,
        self: member.self,
        status: member.status,
        incarnation: member.incarnation,
        sinceMs: member.sinceMs,
        load: member.load === null ? null : { cpu: member.load.cpu },
        suspectedBy: member.suspectedBy,
        reason: member.reason,
        reached: member.reached,
      })),
      quorum: { ...host.agent.swim.quorum },
      chaos: this.chaos.view(),
      consensus: null,
      ledger: null,
      tasks: null,
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
