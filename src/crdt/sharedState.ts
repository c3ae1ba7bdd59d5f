import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import type { AgentId } from '../core/base/ids';
import type { Prng } from '../core/base/prng';
import type { MeshSnapshot } from '../host/meshSnapshot';
import type { Clock, Observer, TimerHandle, Transport } from '../host/ports';
import type { DocSyncConfig } from './config';
import { DocSync } from './docSync';
import {
  isMeshStatePublisher,
  meshStateOf,
  MESH_STATE_KEY,
  MESH_STATE_NAMESPACE,
} from './memory/meshStatePublisher';
import { MemoryStore, type MemoryStoreOptions } from './memory/memoryStore';
import type { DocPersistence, PersistenceFactory } from './persistence';

export interface SharedStateOptions {
  room: string;
  selfId: AgentId;
  /** The shared-document lane of the agent's links. */
  transport: Transport;
  clock: Clock;
  random: Prng;
  observer?: Observer;
  persistence?: PersistenceFactory;
  /** The agent's view of the mesh, for relaying in partial views and for `swarm/mesh/state`. */
  meshSnapshot?: () => MeshSnapshot;
  /**
   * The mesh's coordinator (the Raft leader) when this agent's side holds a majority and knows
   * one: it alone publishes `swarm/mesh/state`. Without one, the lowest alive id does.
   */
  coordinator?: () => AgentId | null;
  /** How often `swarm/mesh/state` is checked and, when it changed, rewritten. */
  meshStateIntervalMs?: number;
  /** Keep presence (awareness) states; off in the simulator, whose clock y-protocols' timers ignore. */
  awareness?: boolean;
  sync?: Partial<DocSyncConfig>;
  memory?: Partial<Omit<MemoryStoreOptions, 'doc' | 'selfId' | 'clock'>>;
}

/**
 * One agent's shared state: the room's Y.Doc, loaded from storage first, then kept in step with
 * the mesh, and the memory store over it. The mesh's own state is published into it.
 */
export class SharedState {
  readonly doc: Y.Doc;
  readonly awareness: Awareness | null;
  readonly sync: DocSync;
  readonly memory: MemoryStore;
  readonly ready: Promise<void>;
  private readonly persistence: DocPersistence | null;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private relayCache = { atMs: -Infinity, relay: false };

  constructor(private readonly options: SharedStateOptions) {
    this.doc = new Y.Doc({ guid: options.room });
    // Deterministic client ids in the simulator; random enough in a page.
    this.doc.clientID = options.random.nextU32();
    this.awareness = options.awareness === true ? new Awareness(this.doc) : null;
    this.persistence = options.persistence?.(this.doc) ?? null;
    this.sync = new DocSync({
      doc: this.doc,
      transport: options.transport,
      clock: options.clock,
      random: options.random,
      ...(this.awareness === null ? {} : { awareness: this.awareness }),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
      ...(options.sync === undefined ? {} : { config: options.sync }),
      relayUpdates: () => this.shouldRelay(),
    });
    this.memory = new MemoryStore({
      doc: this.doc,
      selfId: options.selfId,
      clock: options.clock,
      ...options.memory,
    });
    const persistence = this.persistence;
    if (persistence === null || persistence.loadedAtOnce === true) {
      this.begin();
      this.ready = Promise.resolve();
    } else {
      // Load first, so the first state vector sent already covers what storage had.
      this.ready = Promise.resolve(persistence.whenLoaded).then(() => this.begin());
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimer(this.timer);
    this.sync.stop();
    this.memory.stop();
    this.awareness?.destroy();
    void this.persistence?.destroy();
  }

  /** Writes `coordination / swarm/mesh/state` when this agent publishes and it changed. */
  publishMeshState(): void {
    const snapshot = this.options.meshSnapshot?.();
    if (snapshot === undefined) return;
    if (!isMeshStatePublisher(snapshot, this.options.coordinator?.() ?? null)) return;
    const state = meshStateOf(snapshot);
    const current = this.memory.retrieve(MESH_STATE_NAMESPACE, MESH_STATE_KEY);
    if (current !== null && JSON.stringify(current.value) === JSON.stringify(state)) return;
    void this.memory.store(MESH_STATE_NAMESPACE, MESH_STATE_KEY, state);
  }

  private begin(): void {
    if (this.stopped) return;
    this.sync.start();
    this.memory.start();
    if (this.options.meshSnapshot !== undefined) this.armMeshState();
  }

  private armMeshState(): void {
    const clock = this.options.clock;
    this.timer = clock.setTimer(clock.nowMs() + (this.options.meshStateIntervalMs ?? 2000), () => {
      this.publishMeshState();
      this.armMeshState();
    });
  }

  /** Relay when links do not reach every alive member (a partial view); checked once a second. */
  private shouldRelay(): boolean {
    const nowMs = this.options.clock.nowMs();
    if (nowMs - this.relayCache.atMs < 1000) return this.relayCache.relay;
    const snapshot = this.options.meshSnapshot?.();
    let relay = false;
    if (snapshot !== undefined) {
      const alive = snapshot.members.filter((m) => !m.self && m.status === 'alive').length;
      relay = this.sync.peerCount < alive;
    }
    this.relayCache = { atMs: nowMs, relay };
    return relay;
  }
}
