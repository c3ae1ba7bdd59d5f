import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { shortId, type AgentId } from '../core/base/ids';
import type { Prng } from '../core/base/prng';
import { Reassembler, type ChunkDropReason } from '../core/wire/chunkReassembler';
import type { Clock, Observer, TimerHandle, Transport } from '../host/ports';
import { resolveDocSyncConfig, type DocSyncConfig } from './config';
import { decodeCrdtFrame, framesOf } from './crdtFrame';
import { Outbox } from './outbox';
import {
  encodeAwareness,
  encodeQueryAwareness,
  encodeStep1,
  encodeStep2,
  encodeUpdate,
  parseSyncMessage,
  type SyncMessage,
} from './syncMessages';
import { compareStateVectors, type SyncState } from './syncState';
import { checkUpdate, errorText, readStateVector } from './updateGuard';

export interface DocSyncOptions {
  doc: Y.Doc;
  /** The links, usually the shared-document lane of the agent's transport (host/frameLanes). */
  transport: Transport;
  clock: Clock;
  random: Prng;
  awareness?: awarenessProtocol.Awareness;
  observer?: Observer;
  config?: Partial<DocSyncConfig>;
  /**
   * Whether an update received from one peer is passed on to the others. Needed when links do
   * not form a full mesh (partial views); in a full mesh every writer reaches everyone itself.
   */
  relayUpdates?: () => boolean;
}

export interface DocSyncStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  updatesApplied: number;
  updatesSent: number;
  rejected: number;
  antiEntropyRounds: number;
  chunkedMessagesDropped: number;
}

export interface PeerSyncView {
  peer: AgentId;
  /** Unknown until the peer's first state vector arrives. */
  state: SyncState | 'unknown';
  /** When the peer's state vector was last heard, or null before the first exchange. */
  comparedAtMs: number | null;
}

/** Marks updates this component applied, so the update handler knows where they came from. */
class RemoteOrigin {
  constructor(
    readonly sync: DocSync,
    readonly peer: AgentId,
  ) {}
}

/**
 * One Y.Doc kept in step with every linked peer over the mesh's own links: y-protocols sync on
 * link up (step 1 both ways, each answering with a step 2), local updates pushed to every peer
 * at once, anti-entropy at the gossip interval (a state vector to one peer, which answers with
 * what is missing and asks back when it lacks something itself), awareness alongside. Bad input
 * is refused whole, counted and logged; it never throws out of a handler.
 */
export class DocSync {
  readonly stats: DocSyncStats = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    updatesApplied: 0,
    updatesSent: 0,
    rejected: 0,
    antiEntropyRounds: 0,
    chunkedMessagesDropped: 0,
  };
  private readonly config: DocSyncConfig;
  private readonly doc: Y.Doc;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly outbox: Outbox;
  private readonly peers = new Map<AgentId, PeerState>();
  private roundRobin: AgentId[] = [];
  /**
   * Link-up syncs run one at a time: while a peer's step 2 is awaited, new peers' step 1 waits,
   * so a newcomer linking to several holders of a large document fetches it once, then asks the
   * others only for what the first lacked.
   */
  private readonly awaitingStep2 = new Map<AgentId, number>();
  private readonly deferredStep1 = new Set<AgentId>();
  private nextMessageId: number;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly options: DocSyncOptions) {
    this.config = resolveDocSyncConfig(options.config);
    this.doc = options.doc;
    this.transport = options.transport;
    this.clock = options.clock;
    this.outbox = new Outbox(options.transport, options.clock, this.config.outbox);
    // From the clock, so a sync made again while links stay up does not reuse the chunked
    // message ids its peers remember.
    this.nextMessageId = Math.floor(options.clock.nowMs()) >>> 0;
  }

  start(): void {
    this.doc.on('update', this.onDocUpdate);
    this.options.awareness?.on('update', this.onAwarenessUpdate);
    this.transport.setHandler({
      onLinkUp: (peer) => this.onLinkUp(peer),
      onLinkDown: (peer) => this.onLinkDown(peer),
      onFrame: (peer, frame) => this.onFrame(peer, frame),
    });
    this.schedule();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.doc.off('update', this.onDocUpdate);
    this.options.awareness?.off('update', this.onAwarenessUpdate);
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.outbox.dropAll();
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** How this document stands against each linked peer's, as of its last state vector. */
  peerStates(): PeerSyncView[] {
    const mine = stateVectorOf(this.doc);
    return [...this.peers].map(([peer, state]) => ({
      peer,
      state: state.vector === null ? 'unknown' : compareStateVectors(mine, state.vector),
      comparedAtMs: state.vectorAtMs,
    }));
  }

  private onLinkUp(peer: AgentId): void {
    if (this.stopped) return;
    const onDropped = (reason: ChunkDropReason, detail: string) =>
      this.onChunkedMessageDropped(peer, reason, detail);
    this.peers.set(peer, new PeerState(new Reassembler(this.config.reassembly, onDropped)));
    if (this.awaitingStep2.size > 0) this.deferredStep1.add(peer);
    else this.sendLinkUpStep1(peer);
    const awareness = this.options.awareness;
    if (awareness !== undefined) {
      this.send(peer, encodeQueryAwareness());
      this.sendAwareness([peer], [awareness.clientID]);
    }
  }

  private onLinkDown(peer: AgentId): void {
    const state = this.peers.get(peer);
    if (state === undefined) return;
    this.peers.delete(peer);
    this.outbox.drop(peer);
    this.deferredStep1.delete(peer);
    this.settleLinkUpSync(peer);
    const awareness = this.options.awareness;
    if (awareness !== undefined && state.awarenessClients.size > 0) {
      awarenessProtocol.removeAwarenessStates(awareness, [...state.awarenessClients], 'link down');
    }
  }

  private onFrame(peer: AgentId, bytes: Uint8Array): void {
    const state = this.peers.get(peer);
    if (this.stopped || state === undefined) return;
    this.stats.framesIn++;
    this.stats.bytesIn += bytes.length;
    const decoded = decodeCrdtFrame(bytes, this.config.maxFrameBytes);
    if (!decoded.ok) return this.reject(peer, decoded.reason);
    const frame = decoded.frame;
    if (frame.kind === 'message') return this.onMessage(peer, state, frame.body);
    const body = state.reassembler.add(frame, this.clock.nowMs());
    if (body !== null) this.onMessage(peer, state, body);
  }

  /** Lost to limits: counted; refused for what the peer sent: also reported. */
  private onChunkedMessageDropped(peer: AgentId, reason: ChunkDropReason, detail: string): void {
    this.stats.chunkedMessagesDropped++;
    if (reason === 'tooLarge' || reason === 'inconsistent' || reason === 'malformed') {
      this.reject(peer, detail);
    }
  }

  private onMessage(peer: AgentId, state: PeerState, body: Uint8Array): void {
    const parsed = parseSyncMessage(body);
    if (!parsed.ok) return this.reject(peer, parsed.reason);
    const msg: SyncMessage = parsed.msg;
    switch (msg.type) {
      case 'step1':
        return this.onStep1(peer, state, msg.stateVector);
      case 'step2':
        this.applyRemoteUpdate(peer, state, msg.update);
        return this.settleLinkUpSync(peer);
      case 'update':
        return this.applyRemoteUpdate(peer, state, msg.update);
      case 'awareness':
        return this.applyAwareness(peer, state, msg.update);
      case 'query-awareness': {
        const awareness = this.options.awareness;
        if (awareness !== undefined) this.sendAwareness([peer], [...awareness.getStates().keys()]);
        return;
      }
    }
  }

  /** The peer's state vector: answer with what it lacks; ask back if it has what we lack. */
  private onStep1(peer: AgentId, state: PeerState, stateVectorBytes: Uint8Array): void {
    const theirs = readStateVector(stateVectorBytes);
    if (theirs === null) return this.reject(peer, 'malformed state vector');
    state.vector = theirs;
    state.vectorAtMs = this.clock.nowMs();
    this.send(peer, encodeStep2(this.doc, stateVectorBytes));
    const mine = stateVectorOf(this.doc);
    const standing = compareStateVectors(mine, theirs);
    // Once the step 2 lands, the peer holds everything this agent has.
    mergeInto(theirs, mine);
    if (standing === 'behind' || standing === 'diverged') {
      // Ask back, but not while another sync is fetching: what it brings may be all we lack.
      if (this.awaitingStep2.size > 0) {
        if (!this.awaitingStep2.has(peer)) this.deferredStep1.add(peer);
      } else this.sendLinkUpStep1(peer);
    }
  }

  private applyRemoteUpdate(peer: AgentId, state: PeerState, update: Uint8Array): void {
    const verdict = checkUpdate(update, this.config.maxUpdateBytes);
    if (!verdict.ok) return this.reject(peer, verdict.reason);
    try {
      Y.applyUpdate(this.doc, update, new RemoteOrigin(this, peer));
      this.stats.updatesApplied++;
      if (state.vector !== null) mergeInto(state.vector, verdict.to);
    } catch (error) {
      this.reject(peer, `update failed to apply: ${errorText(error)}`);
    }
  }

  private applyAwareness(peer: AgentId, state: PeerState, update: Uint8Array): void {
    const awareness = this.options.awareness;
    if (awareness === undefined) return;
    if (update.length > this.config.maxAwarenessBytes) {
      return this.reject(peer, `awareness update of ${update.length} bytes`);
    }
    const limit = this.config.maxAwarenessClientsPerPeer;
    const before = new Set(awareness.getStates().keys());
    try {
      const entries = decoding.readVarUint(decoding.createDecoder(update));
      if (entries > limit) return this.reject(peer, `awareness update for ${entries} clients`);
      awarenessProtocol.applyAwarenessUpdate(awareness, update, new RemoteOrigin(this, peer));
    } catch (error) {
      return this.reject(peer, `malformed awareness update: ${errorText(error)}`);
    }
    const added: number[] = [];
    for (const client of awareness.getStates().keys()) {
      if (!before.has(client) && client !== awareness.clientID) added.push(client);
    }
    if (state.awarenessClients.size + added.length > limit) {
      // A peer may speak for a few presences (its own, relayed ones), not flood the table.
      awarenessProtocol.removeAwarenessStates(awareness, added, 'over the limit');
      return this.reject(peer, `more than ${limit} awareness clients through one peer`);
    }
    for (const client of added) state.awarenessClients.add(client);
  }

  /** Local writes go to every peer at once; updates from a peer are relayed in partial views. */
  private readonly onDocUpdate = (
    update: Uint8Array,
    origin: unknown,
    _doc: Y.Doc,
    transaction: Y.Transaction,
  ): void => {
    if (this.stopped || this.peers.size === 0) return;
    let from: AgentId | null = null;
    if (origin instanceof RemoteOrigin && origin.sync === this) {
      if (!(this.options.relayUpdates?.() ?? false)) return;
      from = origin.peer;
    }
    const body = encodeUpdate(update);
    for (const [peer, state] of this.peers) {
      if (peer === from) continue;
      this.send(peer, body);
      this.stats.updatesSent++;
      if (state.vector !== null) mergeInto(state.vector, transaction.afterState);
    }
  };

  private readonly onAwarenessUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (this.stopped || origin instanceof RemoteOrigin) return;
    const clients = [...change.added, ...change.updated, ...change.removed];
    this.sendAwareness([...this.peers.keys()], clients);
  };

  private sendAwareness(peers: readonly AgentId[], clients: readonly number[]): void {
    const awareness = this.options.awareness;
    if (awareness === undefined || peers.length === 0 || clients.length === 0) return;
    const body = encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, [...clients]));
    for (const peer of peers) this.send(peer, body);
  }

  private send(peer: AgentId, body: Uint8Array): void {
    const frames = framesOf(body, this.nextMessageId++, this.config.maxFrameBytes);
    this.stats.framesOut += frames.length;
    this.outbox.send(peer, frames);
  }

  private reject(peer: AgentId, reason: string): void {
    this.stats.rejected++;
    this.options.observer?.onEvent({
      atMs: this.clock.nowMs(),
      level: 'warn',
      kind: 'doc-sync-rejected',
      peer,
      detail: `from ${shortId(peer)}: ${reason}`,
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(this.clock.nowMs() + this.config.antiEntropyIntervalMs, () => {
      this.timer = null;
      this.antiEntropyRound();
      this.schedule();
    });
  }

  private sendLinkUpStep1(peer: AgentId): void {
    this.awaitingStep2.set(peer, this.clock.nowMs());
    this.send(peer, encodeStep1(this.doc));
  }

  /** `peer`'s link-up sync is over (answered or gone); once none is left, the deferred go. */
  private settleLinkUpSync(peer: AgentId): void {
    if (!this.awaitingStep2.delete(peer) || this.awaitingStep2.size > 0) return;
    const deferred = [...this.deferredStep1];
    this.deferredStep1.clear();
    for (const next of deferred) if (this.peers.has(next)) this.sendLinkUpStep1(next);
  }

  /** One state vector exchange with the next peer of a shuffled round robin. */
  private antiEntropyRound(): void {
    const nowMs = this.clock.nowMs();
    // A link-up sync that got no answer for two rounds stops holding the others back.
    for (const [peer, sentAtMs] of this.awaitingStep2) {
      if (nowMs - sentAtMs >= 2 * this.config.antiEntropyIntervalMs) this.settleLinkUpSync(peer);
    }
    for (const state of this.peers.values()) state.reassembler.expire(nowMs);
    let peer = this.roundRobin.pop();
    while (peer !== undefined && !this.peers.has(peer)) peer = this.roundRobin.pop();
    if (peer === undefined) {
      this.roundRobin = shuffled([...this.peers.keys()], this.options.random);
      peer = this.roundRobin.pop();
    }
    if (peer === undefined) return;
    this.stats.antiEntropyRounds++;
    this.send(peer, encodeStep1(this.doc));
  }
}

class PeerState {
  vector: Map<number, number> | null = null;
  vectorAtMs: number | null = null;
  /** Awareness clients first heard from this peer, removed when its link goes down. */
  readonly awarenessClients = new Set<number>();

  constructor(readonly reassembler: Reassembler) {}
}

/** Raises `vector` to at least `other`, client by client. */
function mergeInto(vector: Map<number, number>, other: ReadonlyMap<number, number>): void {
  for (const [client, clock] of other) {
    if (clock > (vector.get(client) ?? 0)) vector.set(client, clock);
  }
}

export function stateVectorOf(doc: Y.Doc): Map<number, number> {
  const vector = new Map<number, number>();
  for (const client of doc.store.clients.keys()) vector.set(client, Y.getState(doc.store, client));
  return vector;
}

function shuffled<T>(items: T[], random: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
