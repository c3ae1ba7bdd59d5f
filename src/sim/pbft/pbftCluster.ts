import type { AgentId } from '../../core/base/ids';
import type { Prng } from '../../core/base/prng';
import { ByzantineRewriter, type ByzantineBehaviour } from '../../core/pbft/byzantine';
import { PbftClient, type PbftClientEvent } from '../../core/pbft/client';
import type { PbftOverrides } from '../../core/pbft/config';
import { applyPersist } from '../../core/pbft/durability';
import { PbftReplica } from '../../core/pbft/replica';
import type { PbftEffect, PbftEvent } from '../../core/pbft/types';
import { decodeFrame, encodeFrame } from '../../core/wire/codec';
import {
  PBFT_MAX_MESSAGE_BYTES,
  isPbftMessageType,
  type PbftMessage,
} from '../../core/wire/pbftMessages';
import { signPbftMessage, verifyPbftMessage } from '../../host/pbftSigning';
import { Network, type PathConfig } from '../network';
import { Scheduler } from '../scheduler';
import type { SimEvent } from '../simEvent';
import { randomAgentIds, Stream, streamPrng } from '../seeds';
import { SimCrypto } from '../simCrypto';
import { Trace, TraceKind } from '../trace';
import { RegisterApp } from './registerApp';
import { sha256Hex } from './sha256';

/** More ticks than this at one simulated instant mean a timer that never clears. */
const MAX_TICKS_PER_INSTANT = 64;

export interface PbftClusterOptions {
  seed: number;
  replicas: number;
  /** Extra copies of replicas (Twins): index of the replica each copy shares its key with. */
  twinsOf?: number[];
  network?: Partial<PathConfig>;
  config?: PbftOverrides;
}

/** One simulated agent: a replica and a client sharing an id, on one network index. */
export interface PbftSimNode {
  index: number;
  id: AgentId;
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
  wake: SimEvent | null;
  /** When the node was last ticked, and how many ticks it had at that instant. */
  lastTickMs: number;
  ticksThisInstant: number;
}

export interface PbftClusterObserver {
  onReplicaEvent?(node: PbftSimNode, event: PbftEvent): void;
  onClientEvent?(node: PbftSimNode, event: PbftClientEvent): void;
  /** After every step of a replica: the checkers' hook. */
  afterStep?(node: PbftSimNode): void;
}

/**
 * pBFT replicas and clients on the packet simulator: every message is signed, encoded by the
 * real codec, carried (or lost, duplicated, delayed, blocked) by the network, decoded and
 * verified before the receiving replica sees it, exactly as the browser host does.
 */
export class PbftCluster {
  readonly scheduler = new Scheduler();
  readonly network: Network;
  readonly crypto: SimCrypto;
  readonly nodes: PbftSimNode[] = [];
  readonly ids: AgentId[];
  readonly stats = { frames: 0, badFrames: 0, badSignatures: 0, replicaMessages: 0 };
  /** Messages replicas sent to other replicas (not replies, not to themselves), by type. */
  readonly betweenReplicas = new Map<string, number>();
  /** Every delivery, drop and timer, hashed: two runs of one seed hash alike. */
  readonly trace = new Trace();
  observer: PbftClusterObserver = {};
  private readonly byId = new Map<AgentId, PbftSimNode[]>();
  private readonly byzantinePrng: Prng;

  constructor(private readonly options: PbftClusterOptions) {
    const { seed, replicas } = options;
    this.ids = randomAgentIds(streamPrng(seed, Stream.ids), replicas);
    const twins = options.twinsOf ?? [];
    this.network = new Network(
      replicas + twins.length,
      streamPrng(seed, Stream.network),
      options.network,
    );
    this.crypto = new SimCrypto(this.ids, streamPrng(seed, Stream.crypto));
    this.byzantinePrng = streamPrng(seed, Stream.byzantine);
    for (let i = 0; i < replicas; i++) this.addNode(i, this.ids[i] as AgentId, false);
    twins.forEach((of, k) => this.addNode(replicas + k, this.ids[of] as AgentId, true));
  }

  get nowMs(): number {
    return this.scheduler.nowMs();
  }

  node(index: number): PbftSimNode {
    return this.nodes[index] as PbftSimNode;
  }

  setBehaviour(index: number, behaviour: ByzantineBehaviour): void {
    this.node(index).rewriter.behaviour = behaviour;
  }

  /** The node's client proposes an action; its outcome comes as a client event. */
  propose(index: number, action: string): number {
    const node = this.node(index);
    const { reqNo, effects } = node.client.propose(action, this.nowMs);
    this.runClientEffects(node, effects);
    this.rearm(node);
    return reqNo;
  }

  /** Tells the node's client how many replicas it reaches (the membership's reach, in an agent). */
  setReachable(index: number, replicas: number): void {
    const node = this.node(index);
    this.runClientEffects(node, node.client.setReachable(replicas, this.nowMs));
    this.rearm(node);
  }

  /**
   * Links between nodes that could not reach each other open again (after a heal, a resume, a
   * restart): each side's replica hears of the other, as an agent's would from its links.
   */
  linksUp(pairs: [number, number][]): void {
    for (const [a, b] of pairs) {
      for (const [self, peer] of [
        [a, b],
        [b, a],
      ] as const) {
        const node = this.node(self);
        if (!node.up) continue;
        const peerId = this.node(peer).id;
        if (peerId === node.id) continue;
        this.runReplicaEffects(
          node,
          node.replica.step({ kind: 'peerUp', peer: peerId, nowMs: this.nowMs }),
        );
        this.rearm(node);
      }
    }
  }

  /** Every pair of nodes (a full mesh of links coming up). */
  allPairs(of: number[] = this.nodes.map((n) => n.index)): [number, number][] {
    const pairs: [number, number][] = [];
    for (let i = 0; i < of.length; i++)
      for (let j = i + 1; j < of.length; j++) pairs.push([of[i] as number, of[j] as number]);
    return pairs;
  }

  crash(index: number): void {
    const node = this.node(index);
    node.up = false;
    if (node.wake !== null) node.wake.cancelled = true;
    node.wake = null;
  }

  /** Back up with its state (a pause, or a restart that kept its storage). */
  resume(index: number): void {
    const node = this.node(index);
    node.up = true;
    this.tick(node);
    this.linksUp(this.nodes.filter((n) => n !== node).map((n) => [node.index, n.index]));
  }

  /**
   * A crash and a restart from what the replica persisted: a fresh replica object built from
   * its storage, with a fresh client (request numbers from its clock). A correct replica.
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

  private replaceNode(old: PbftSimNode, fresh: PbftSimNode): void {
    if (old.wake !== null) old.wake.cancelled = true;
    this.nodes[old.index] = fresh;
    const copies = this.byId.get(old.id) as PbftSimNode[];
    copies[copies.indexOf(old)] = fresh;
    // Effects of the restore (replies again, events) come out of its first step.
    this.tick(fresh);
    this.linksUp(this.nodes.filter((n) => n !== fresh).map((n) => [fresh.index, n.index]));
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

  private indexOf(id: AgentId): number {
    return this.ids.indexOf(id);
  }

  private addNode(index: number, id: AgentId, twin: boolean): void {
    const node = this.makeNode(index, id, twin);
    this.nodes[index] = node;
    const copies = this.byId.get(id) ?? [];
    copies.push(node);
    this.byId.set(id, copies);
    this.scheduler.at(0, () => this.tick(node));
  }

  private makeNode(
    index: number,
    id: AgentId,
    twin: boolean,
    firstReqNo = 1 + index * 1_000_000,
    stored?: Map<string, string>,
  ): PbftSimNode {
    const app = new RegisterApp();
    return {
      index,
      id,
      app,
      replica: new PbftReplica({
        selfId: id,
        replicas: this.ids,
        app,
        digestOf: sha256Hex,
        config: this.options.config,
        ...(stored === undefined ? {} : { stored, nowMs: this.nowMs }),
      }),
      client: new PbftClient({ selfId: id, replicas: this.ids, firstReqNo }),
      rewriter: new ByzantineRewriter(this.byzantinePrng, sha256Hex),
      up: true,
      amnesiac: false,
      twin,
      wake: null,
      storage: stored === undefined ? new Map() : new Map(stored),
      lastTickMs: -1,
      ticksThisInstant: 0,
    };
  }

  private tick(node: PbftSimNode): void {
    if (!node.up || this.nodes[node.index] !== node) return;
    node.wake = null;
    const nowMs = this.nowMs;
    this.trace.record(nowMs, TraceKind.timer, node.index, -1, 0);
    node.ticksThisInstant = node.lastTickMs === nowMs ? node.ticksThisInstant + 1 : 0;
    node.lastTickMs = nowMs;
    if (node.ticksThisInstant > MAX_TICKS_PER_INSTANT) {
      // A timer that stays due after its tick would spin forever at one instant.
      throw new Error(`#${node.index} keeps asking to wake at ${nowMs}`);
    }
    this.runReplicaEffects(node, node.replica.step({ kind: 'tick', nowMs }));
    this.runClientEffects(node, node.client.tick(nowMs));
    this.rearm(node);
  }

  private rearm(node: PbftSimNode): void {
    const replicaAt = node.replica.nextWakeMs();
    const clientAt = node.client.nextWakeMs();
    const at =
      replicaAt === null ? clientAt : clientAt === null ? replicaAt : Math.min(replicaAt, clientAt);
    if (node.wake !== null && (at === null || node.wake.atMs <= at)) return;
    if (node.wake !== null) node.wake.cancelled = true;
    node.wake =
      at === null ? null : this.scheduler.at(Math.max(at, this.nowMs), () => this.tick(node));
  }

  private runReplicaEffects(node: PbftSimNode, effects: PbftEffect[]): void {
    this.observer.afterStep?.(node);
    for (const effect of node.rewriter.rewrite(effects)) {
      if (effect.kind === 'event') this.observer.onReplicaEvent?.(node, effect.event);
      else if (effect.kind === 'persist') applyPersist(node.storage, effect);
      else this.send(node, effect.to, effect.msg, true);
    }
  }

  private runClientEffects(node: PbftSimNode, effects: ReturnType<PbftClient['tick']>): void {
    for (const effect of effects) {
      if (effect.kind === 'event') this.observer.onClientEvent?.(node, effect.event);
      else this.send(node, effect.to, effect.msg, false);
    }
  }

  private send(node: PbftSimNode, to: AgentId[], msg: PbftMessage, fromReplica: boolean): void {
    signPbftMessage(msg, node.id, this.crypto.portFor(node.id), (signed) => {
      const frame = encodeFrame(signed, PBFT_MAX_MESSAGE_BYTES);
      for (const target of to) {
        for (const receiver of this.byId.get(target) ?? []) {
          if (fromReplica) this.stats.replicaMessages++;
          if (fromReplica && receiver !== node && signed.type !== 'pbft-reply') {
            this.betweenReplicas.set(signed.type, (this.betweenReplicas.get(signed.type) ?? 0) + 1);
          }
          this.carry(node, receiver, frame);
        }
      }
    });
  }

  private carry(from: PbftSimNode, to: PbftSimNode, frame: Uint8Array): void {
    if (from === to) {
      this.scheduler.at(this.nowMs, () => this.deliver(from.id, to, frame));
      return;
    }
    const copies = this.network.transmit(from.index, to.index);
    if (copies === 0)
      this.trace.record(this.nowMs, TraceKind.drop, to.index, from.index, frame[1] ?? 0);
    for (let i = 0; i < copies; i++) {
      const delayMs = this.network.delaysMs[i] as number;
      this.scheduler.at(this.nowMs + delayMs, () => this.deliver(from.id, to, frame));
    }
  }

  private deliver(fromId: AgentId, to: PbftSimNode, frame: Uint8Array): void {
    if (!to.up || this.nodes[to.index] !== to) return;
    this.stats.frames++;
    this.trace.record(
      this.nowMs,
      TraceKind.deliver,
      to.index,
      this.indexOf(fromId),
      (frame[1] ?? 0) | (frame.length << 8),
    );
    const decoded = decodeFrame(frame, PBFT_MAX_MESSAGE_BYTES);
    if (!decoded.ok || !isPbftMessageType(decoded.msg.type)) {
      this.stats.badFrames++;
      return;
    }
    const msg = decoded.msg as PbftMessage;
    verifyPbftMessage(msg, this.crypto.portFor(to.id), (valid) => {
      if (!valid) {
        this.stats.badSignatures++;
        return;
      }
      const nowMs = this.nowMs;
      if (msg.type === 'pbft-reply') {
        this.runClientEffects(to, to.client.onReply(fromId, msg));
      } else {
        this.runReplicaEffects(to, to.replica.step({ kind: 'message', from: fromId, msg, nowMs }));
      }
      this.rearm(to);
    });
  }
}
