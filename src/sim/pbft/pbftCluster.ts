import type { AgentId } from '../../core/base/ids';
import type { Prng } from '../../core/base/prng';
import type { PbftBehaviour, ByzantineRewriter } from '../../core/pbft/byzantine';
import type { PbftClient, PbftClientEvent } from '../../core/pbft/client';
import type { PbftOverrides } from '../../core/pbft/config';
import { applyRecordChanges } from '../../core/base/records';
import type { PbftReplica } from '../../core/pbft/replica';
import type { PbftEvent } from '../../core/pbft/types';
import { typeCodeOf } from '../../core/wire/codec';
import { PBFT_MESSAGE_TYPES } from '../../core/wire/pbftMessages';
import { PbftHost } from '../../host/pbftHost';
import type { Clock, TimerHandle, TransportHandler } from '../../host/ports';
import { Network, type PathConfig } from '../network';
import { Scheduler } from '../scheduler';
import { SimEvent } from '../simEvent';
import { randomAgentIds, Stream, streamPrng } from '../seeds';
import { SimCrypto } from '../simCrypto';
import { Trace, TraceKind } from '../trace';
import { RegisterApp } from './registerApp';
import { sha256Hex } from '../../host/sha256Hex';

const TYPE_NAMES = new Map(PBFT_MESSAGE_TYPES.map((type) => [typeCodeOf(type), type]));

/** More timer callbacks than this at one simulated instant mean a timer that never clears. */
const MAX_TIMERS_PER_INSTANT = 256;

export interface PbftClusterOptions {
  seed: number;
  replicas: number;
  /** Extra copies of replicas (Twins): index of the replica each copy shares its key with. */
  twinsOf?: number[];
  network?: Partial<PathConfig>;
  config?: PbftOverrides;
  /** One more agent outside the replica set (a client) that a change may add. */
  spare?: boolean;
}

/** One simulated agent: the pBFT host (replica and client) of one id, on one network index. */
export interface PbftSimNode {
  index: number;
  id: AgentId;
  host: PbftHost;
  replica: PbftReplica;
  client: PbftClient;
  app: RegisterApp;
  rewriter: ByzantineRewriter;
  up: boolean;
  /** What its replica persisted: kept across a crash, lost in a restart without storage. */
  storage: Map<string, string>;
  /** Restarted without its storage at some point: counts as faulty, like a Byzantine one. */
  amnesiac: boolean;
  twin: boolean;
  handler: TransportHandler | null;
  /** Timers that came due while the node was down: they run when it resumes. */
  deferred: (() => void)[];
  lastTimerMs: number;
  timersThisInstant: number;
}

export interface PbftClusterObserver {
  onReplicaEvent?(node: PbftSimNode, event: PbftEvent): void;
  onClientEvent?(node: PbftSimNode, event: PbftClientEvent): void;
  /** After every step of a replica: the checkers' hook. */
  afterStep?(node: PbftSimNode): void;
}

/**
 * pBFT agents on the packet simulator, each the same `PbftHost` the browser runs, with
 * simulated ports: a transport over `Network` (loss, duplication, delay, partitions), a clock on
 * the scheduler, `SimCrypto` signatures and storage in memory. Every message is signed,
 * encoded by the real codec, carried, decoded and verified before a replica sees it.
 */
export class PbftCluster {
  readonly scheduler = new Scheduler();
  readonly network: Network;
  readonly crypto: SimCrypto;
  readonly nodes: PbftSimNode[] = [];
  /** The genesis replica set. */
  readonly ids: AgentId[];
  /** The spare agent's network index, or null. */
  readonly spareIndex: number | null;
  /** The set the clients send to: genesis, then each configuration a change made. */
  currentReplicas: readonly AgentId[];
  readonly stats = { frames: 0, dropped: 0 };
  /** Messages the agents sent each other (each copy to each target), by type. */
  readonly sentByType = new Map<string, number>();
  /** Every delivery, drop and timer, hashed: two runs of one seed hash alike. */
  readonly trace = new Trace();
  observer: PbftClusterObserver = {};
  private readonly byId = new Map<AgentId, PbftSimNode[]>();
  private readonly byzantinePrng: Prng;

  constructor(private readonly options: PbftClusterOptions) {
    const { seed, replicas } = options;
    const spares = options.spare === true ? 1 : 0;
    const ids = randomAgentIds(streamPrng(seed, Stream.ids), replicas + spares);
    this.ids = ids.slice(0, replicas);
    this.currentReplicas = this.ids;
    const twins = options.twinsOf ?? [];
    this.network = new Network(
      replicas + twins.length + spares,
      streamPrng(seed, Stream.network),
      options.network,
    );
    this.crypto = new SimCrypto(ids, streamPrng(seed, Stream.crypto));
    this.byzantinePrng = streamPrng(seed, Stream.byzantine);
    for (let i = 0; i < replicas; i++) this.addNode(i, this.ids[i] as AgentId, false);
    twins.forEach((of, k) => this.addNode(replicas + k, this.ids[of] as AgentId, true));
    this.spareIndex = spares === 0 ? null : replicas + twins.length;
    if (this.spareIndex !== null) this.addNode(this.spareIndex, ids[replicas] as AgentId, false);
  }

  /** A committed change made `replicas` the set: every client sends to it from now on. */
  reconfigureClients(replicas: readonly AgentId[]): void {
    this.currentReplicas = replicas;
    for (const node of this.nodes) node.host.reconfigureClient(replicas);
  }

  /** The change added this node: a fresh replica joins by state transfer. */
  join(index: number, join: { epoch: number; replicas: readonly AgentId[] }): void {
    const node = this.node(index);
    node.storage.clear();
    node.host.join(join);
    node.replica = node.host.replica;
  }

  get nowMs(): number {
    return this.scheduler.nowMs();
  }

  node(index: number): PbftSimNode {
    return this.nodes[index] as PbftSimNode;
  }

  setBehaviour(index: number, behaviour: PbftBehaviour): void {
    this.node(index).rewriter.behaviour = behaviour;
  }

  /** The node's client proposes an action; its outcome comes as a client event. */
  propose(index: number, action: string): number {
    return this.node(index).host.propose(action);
  }

  /** Tells the node's client how many replicas it reaches (the membership's reach, in an agent). */
  setReachable(index: number, replicas: number): void {
    this.node(index).host.setReachable(replicas);
  }

  /**
   * Links between nodes that could not reach each other open again (after a heal, a resume, a
   * restart): each side's host hears of the other, as it would from its links.
   */
  linksUp(pairs: [number, number][]): void {
    for (const [a, b] of pairs) {
      for (const [self, peer] of [
        [a, b],
        [b, a],
      ] as const) {
        const node = this.node(self);
        const peerId = this.node(peer).id;
        if (!node.up || peerId === node.id) continue;
        node.handler?.onLinkUp(peerId);
      }
    }
  }

  /** Every pair of nodes (a full mesh of links coming up). */
  allPairs(of: number[] = this.nodes.map((n) => n.index)): [number, number][] {
    const pairs: [number, number][] = [];
    for (let i = 0; i < of.length; i++) {
      for (let j = i + 1; j < of.length; j++) pairs.push([of[i] as number, of[j] as number]);
    }
    return pairs;
  }

  /** Down: frames to it are lost, its timers wait. */
  crash(index: number): void {
    this.node(index).up = false;
  }

  /** Back up with its memory (a pause, or a restart that kept everything). */
  resume(index: number): void {
    const node = this.node(index);
    node.up = true;
    const deferred = node.deferred.splice(0);
    for (const callback of deferred) callback();
    this.linksUp(this.nodes.filter((n) => n !== node).map((n) => [node.index, n.index]));
  }

  /**
   * A crash and a restart from what the replica persisted: a fresh host built from its storage,
   * with a fresh client (request numbers from its clock). A correct replica.
   */
  restartFromStorage(index: number): void {
    const old = this.node(index);
    const fresh = this.makeNode(
      index,
      old.id,
      old.twin,
      old.client.nextRequestNumber + 1000,
      old.storage,
    );
    fresh.rewriter.behaviour = old.rewriter.behaviour;
    fresh.amnesiac = old.amnesiac;
    this.replaceNode(old, fresh);
  }

  /** Back up with nothing: a fresh replica under the same key, which must catch up. */
  restartEmpty(index: number): void {
    const old = this.node(index);
    // A reloaded client starts its request numbers from its clock, past every earlier one.
    const fresh = this.makeNode(index, old.id, old.twin, old.client.nextRequestNumber + 1000);
    fresh.amnesiac = true;
    fresh.rewriter.behaviour = old.rewriter.behaviour;
    this.replaceNode(old, fresh);
  }

  runUntil(untilMs: number): void {
    for (;;) {
      const event = this.scheduler.next(untilMs);
      if (event === undefined) return;
      event.callback?.();
    }
  }

  at(atMs: number, callback: () => void): void {
    this.scheduler.at(atMs, callback);
  }

  private replaceNode(old: PbftSimNode, fresh: PbftSimNode): void {
    old.host.stop();
    this.nodes[old.index] = fresh;
    const copies = this.byId.get(old.id) as PbftSimNode[];
    copies[copies.indexOf(old)] = fresh;
    this.linksUp(this.nodes.filter((n) => n !== fresh).map((n) => [fresh.index, n.index]));
  }

  private addNode(index: number, id: AgentId, twin: boolean): void {
    const node = this.makeNode(index, id, twin);
    this.nodes[index] = node;
    const copies = this.byId.get(id) ?? [];
    copies.push(node);
    this.byId.set(id, copies);
  }

  private makeNode(
    index: number,
    id: AgentId,
    twin: boolean,
    firstReqNo = 1 + index * 1_000_000,
    stored?: Map<string, string>,
  ): PbftSimNode {
    const app = new RegisterApp();
    const storage = stored === undefined ? new Map<string, string>() : new Map(stored);
    const node = {
      index,
      id,
      app,
      up: true,
      storage,
      amnesiac: false,
      twin,
      handler: null,
      deferred: [],
      lastTimerMs: -1,
      timersThisInstant: 0,
    } as unknown as PbftSimNode;
    const host = new PbftHost({
      selfId: id,
      replicas: this.ids,
      app,
      digestOf: sha256Hex,
      transport: {
        setHandler: (handler) => (node.handler = handler),
        send: (peer, frame) => this.carry(node, peer, frame),
        close: () => undefined,
        connect: () => undefined,
      },
      clock: this.clockFor(node),
      crypto: this.crypto.portFor(id),
      prng: this.byzantinePrng,
      firstReqNo,
      storage: { write: (persist, done) => (applyRecordChanges(node.storage, persist), done()) },
      ...(stored === undefined ? {} : { stored }),
      ...(this.options.config === undefined ? {} : { config: this.options.config }),
      // The spare runs only its client until a change adds it (a restart keeps its replica).
      votes: !(index === this.spareIndex && stored === undefined),
      onReplicaEvent: (event) => this.observer.onReplicaEvent?.(node, event),
      onClientEvent: (event) => this.observer.onClientEvent?.(node, event),
      afterStep: () => this.observer.afterStep?.(node),
    });
    node.host = host;
    if (this.currentReplicas !== undefined && this.currentReplicas !== this.ids) {
      host.reconfigureClient(this.currentReplicas);
    }
    node.replica = host.replica;
    node.client = host.client;
    node.rewriter = host.rewriter;
    return node;
  }

  /** The node's clock: virtual time; a timer due while the node is down waits for its resume. */
  private clockFor(node: PbftSimNode): Clock {
    return {
      nowMs: () => this.scheduler.nowMs(),
      setTimer: (atMs, callback): TimerHandle =>
        this.scheduler.at(atMs, () => {
          if (this.nodes[node.index] !== node) return;
          if (!node.up) {
            node.deferred.push(callback);
            return;
          }
          const nowMs = this.scheduler.nowMs();
          node.timersThisInstant = node.lastTimerMs === nowMs ? node.timersThisInstant + 1 : 0;
          node.lastTimerMs = nowMs;
          if (node.timersThisInstant > MAX_TIMERS_PER_INSTANT) {
            // A timer that stays due after it ran would spin forever at one instant.
            throw new Error(`#${node.index} keeps asking to wake at ${nowMs}`);
          }
          this.trace.record(nowMs, TraceKind.timer, node.index, -1, 0);
          callback();
        }),
      clearTimer: (handle) => {
        if (handle instanceof SimEvent) handle.cancelled = true;
      },
    };
  }

  private carry(from: PbftSimNode, peer: AgentId, frame: Uint8Array): void {
    const type = frame[1] ?? 0;
    const name = TYPE_NAMES.get(type) ?? String(type);
    this.sentByType.set(name, (this.sentByType.get(name) ?? 0) + 1);
    for (const to of this.byId.get(peer) ?? []) {
      const copies = this.network.transmit(from.index, to.index);
      if (copies === 0) {
        this.stats.dropped++;
        this.trace.record(this.nowMs, TraceKind.drop, to.index, from.index, type);
      }
      for (let i = 0; i < copies; i++) {
        const delayMs = this.network.delaysMs[i] as number;
        this.scheduler.at(this.nowMs + delayMs, () => this.deliver(from, to, frame));
      }
    }
  }

  private deliver(from: PbftSimNode, to: PbftSimNode, frame: Uint8Array): void {
    if (!to.up || this.nodes[to.index] !== to) return;
    this.stats.frames++;
    this.trace.record(
      this.nowMs,
      TraceKind.deliver,
      to.index,
      from.index,
      (frame[1] ?? 0) | (frame.length << 8),
    );
    to.handler?.onFrame(from.id, frame);
  }
}
