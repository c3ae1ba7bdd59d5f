import type { AgentId } from '../core/base/ids';
import type { PbftOverrides } from '../core/pbft/config';
import type { RaftOverrides } from '../core/raft/config';
import type { LedgerApi } from './ledger/ledgerApi';
import type { MemoryStore } from '../crdt/memory/memoryStore';
import type { PersistenceFactory } from '../crdt/persistence';
import type { SharedState } from '../crdt/sharedState';
import type { CriticalLogEntry, CriticalStatus } from '../host/consensusView';
import type { LinkFault, MeshCommands, MeshSnapshot } from '../host/meshSnapshot';
import type { LoadedRecordStore, RecordStoreName } from '../host/recordStore';
import type { MeshEvent, TaskRunner } from '../host/ports';
import type { Capabilities } from '../core/tasks/auction';
import type { TasksApi } from './tasks/tasksApi';
import type { Identity } from '../adapters/webrtc/identity';
import type { LinkSetupTime } from '../adapters/webrtc/meshTransport';
import type { SocketFactory } from '../adapters/webrtc/signalingClient';
import type { PeerFactory } from '../adapters/webrtc/simplePeerTypes';
import type { MeshOptions } from '../adapters/webrtc/webRtcMesh';
import type { CriticalKind } from './critical/criticalApp';
import type { CriticalResult } from './critical/critical';
import type { ReconfigurationOptions } from './critical/reconfigurationDriver';

/** What differs between a page and a Node process; the rest of the mesh is the same code. */
export interface MeshPlatform {
  createPeer: PeerFactory;
  /** The WebSocket to the signaling server (default: the global WebSocket). */
  createSocket?: SocketFactory;
  /** Where the shared document is kept between runs (none: memory only). */
  docPersistence?: PersistenceFactory;
  /**
   * Where the pBFT replica and the Raft node keep their records (written before anything
   * depending on them), one store each.
   */
  openRecordStore(room: string, selfId: AgentId, name: RecordStoreName): Promise<LoadedRecordStore>;
  /** A random 32-bit seed (it shapes probe order and document client ids, not secrets). */
  randomSeed(): number;
  /** The pool that runs task kinds: Web Workers in a page, worker threads in Node. */
  createTaskRunner(selfId: AgentId): TaskRunner;
  /** What this agent offers task auctions (hardware facts and declared tags). */
  capabilities(): Capabilities;
  /** A task kind's module URL as the room's other agents should load it. */
  resolveKindUrl(url: string): string;
  /** Whether to load a task kind's module that a peer published (same origin only, say). */
  acceptsKindUrl(url: string): boolean;
}

export interface CreateMeshOptions extends MeshOptions {
  platform: MeshPlatform;
  /** This agent's key pair (default: a fresh one). */
  identity?: Identity;
  /** Memory namespaces whose writes go through pBFT (default: `critical`). */
  agreedNamespaces?: readonly string[];
  /**
   * Memory namespaces whose writes go through Raft (default: `ledger`): crash fault tolerant and
   * faster; pBFT's also survive agents that lie (api/README.md, "Consistency tiers").
   */
  raftNamespaces?: readonly string[];
  critical?: {
    /** Agreed members needed before the first replica set forms (default 4). */
    minReplicas?: number;
    /** How long a proposal waits for its result (default 10 s). */
    proposalTimeoutMs?: number;
    /** How long a proposal waits for the replica set to form (default 10 s). */
    formingWaitMs?: number;
    pbft?: PbftOverrides;
  } & ReconfigurationOptions;
  /**
   * Critical action kinds of the app, registered before anything executes (a restored replica
   * re-executes its log as it starts). `mesh.critical.register` right after creation works too.
   */
  kinds?: Record<string, CriticalKind>;
  ledger?: {
    /** Agreed members needed before the first Raft group forms (default 3). */
    minVoters?: number;
    /** Voters at most (default 5); later agents are learners. */
    maxVoters?: number;
    /** How long an operation waits for its outcome (default 5 s). */
    timeoutMs?: number;
    /** A member dead this long is removed from the group (default 30 s); one that left, at once. */
    removeAfterMs?: number;
    /** An agent alive and agreed this long joins as a learner (default 2 s). */
    addAfterMs?: number;
    raft?: RaftOverrides;
  };
  /** Keep presence states in the shared document (pages do). */
  awareness?: boolean;
}

/** `mesh.critical`: actions executed in one agreed order by every replica. */
export interface CriticalApi {
  /**
   * Resolves once a Byzantine quorum committed `action` and this agent executed it (its result
   * is one f + 1 replicas agree on); rejects with a CriticalError whose `code` says why.
   */
  propose(action: { kind: string } & Record<string, unknown>): Promise<CriticalResult>;
  status(): CriticalStatus;
  /** Executed actions in order, from `fromSeq`, at most `limit` (default 100, up to 1000). */
  log(options?: { fromSeq?: number; limit?: number }): CriticalLogEntry[];
  /** Adds an action kind; every agent that proposes or executes it must register it alike. */
  register(kind: string, definition: CriticalKind): void;
}

/** One agent of the mesh: what `createMesh` returns and a page exposes as `window.mesh`. */
export interface Mesh {
  readonly id: AgentId;
  readonly room: string;
  /** The namespaced memory store; agreed namespaces commit through pBFT or Raft first. */
  readonly memory: MemoryStore;
  readonly critical: CriticalApi;
  /** The Raft group's ordered log and key-value state; its leader is the mesh's coordinator. */
  readonly ledger: LedgerApi;
  /** Jobs split into tasks that run in workers across the mesh. */
  readonly tasks: TasksApi;
  /** The chaos commands (partition, heal, freeze, link faults, Byzantine behaviours). */
  readonly commands: MeshCommands;
  /** The shared document behind the memory store. */
  readonly shared: SharedState;
  /** Resolves once the shared document was loaded from storage. */
  readonly ready: Promise<void>;
  snapshot(): MeshSnapshot;
  /** Calls `listener` with every event from now on; returns the unsubscribe. */
  onEvent(listener: (event: MeshEvent) => void): () => void;
  /** Cuts, delays or drops this agent's traffic to one peer (the fault-injection layer). */
  setFault(peer: AgentId, fault: LinkFault): void;
  setupTimes(): LinkSetupTime[];
  /** Says bye to every peer and stops. */
  leave(): void;
}
