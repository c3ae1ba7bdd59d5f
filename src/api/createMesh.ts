import { shortId } from '../core/base/ids';
import { GENESIS_FACT_KEY } from '../core/agent/pbftGenesis';
import { ledgerApiOf } from './ledger/ledgerApi';
import { createSeededPrng } from '../core/base/prng';
import { CRDT_LANE_TYPE_CODE } from '../core/wire/lanes';
import { SharedState } from '../crdt/sharedState';
import { chunkedTransport } from '../host/chunkedTransport';
import type { MeshEvent } from '../host/ports';
import { PBFT_CHUNKING, PBFT_LANE_TYPE_CODES } from '../host/pbftLane';
import { RAFT_LANE_TYPE_CODES } from '../host/raftLane';
import { PBFT_MAX_REPLICAS } from '../core/wire/pbftMessages';
import { generateIdentity } from '../adapters/webrtc/identity';
import { wallClock } from '../adapters/webrtc/wallClock';
import { webCryptoPort } from '../adapters/webrtc/webCryptoPort';
import { WebRtcMesh } from '../adapters/webrtc/webRtcMesh';
import { agreementHookOf, tieredAgreement } from './agreed/agreementHook';
import { criticalMemoryTier } from './critical/agreedMemory';
import { CONFIG_KIND } from './critical/builtinKinds';
import { Critical } from './critical/critical';
import { GenesisDriver } from './genesis/genesisDriver';
import { memoryGroupListBoard, PBFT_LISTS_PREFIX } from './genesis/groupListBoard';
import { LedgerAgent } from './ledger/ledgerAgent';
import { ReconfigurationDriver } from './critical/reconfigurationDriver';
import { pbftEventOf } from './critical/pbftEvents';
import type { CreateMeshOptions, Mesh } from './mesh';
import { TASK_CHUNKING, TASK_LANE_TYPE_CODES } from '../host/taskLane';
import { sha256Hex } from '../host/sha256Hex';
import { randomHex } from '../adapters/webrtc/randomHex';
import { reachedIds } from './ledger/ledgerAgent';
import { Tasks } from './tasks/tasks';
import { tasksApiOf } from './tasks/tasksApi';
import { TaskLedgerExtension, taskLedgerPort } from './tasks/taskLedger';
import { taskEventOf } from './tasks/taskEvents';
import { CRITICAL_TASKS_STATE, criticalTaskKinds, flagsIn } from './tasks/criticalTaskKinds';

/**
 * pBFT settings for real links: a request timer of 1 s (the simulator's 500 ms is tight for a
 * loaded page or a link across the internet, and every expiry is a view change), and 8 batches
 * in flight: a commit between tabs takes 20-50 ms, so 4 would cap a primary at about a hundred
 * batches a second, while many more leave batches of one or two requests under load.
 */
export const MESH_PBFT_DEFAULTS = { requestTimeoutMs: 1000, maxInFlightBatches: 8 } as const;

/** The memory namespace whose writes commit through pBFT unless a room names others. */
export const DEFAULT_AGREED_NAMESPACES = ['critical'] as const;
/** The memory namespace whose writes commit through Raft unless a room names others. */
export const DEFAULT_RAFT_NAMESPACES = ['ledger'] as const;

/**
 * Builds one agent: its links and membership (WebRtcMesh), the shared document and memory store
 * (SharedState), pBFT (`critical`) and Raft (`ledger`), whose groups form from the agreed
 * membership; agreed memory namespaces commit through one or the other. The page, the Node
 * agent and apps all start here.
 */
export async function createMesh(options: CreateMeshOptions): Promise<Mesh> {
  const { platform } = options;
  const identity = options.identity ?? (await generateIdentity()).identity;
  const listeners = new Set<(event: MeshEvent) => void>();
  const emit = (event: MeshEvent) => {
    for (const listener of listeners) listener(event);
  };
  const mesh = new WebRtcMesh(identity, options, platform.createPeer, platform.createSocket);
  mesh.onEvent(emit);
  const storage = await platform.openRecordStore(options.room, identity.id, 'pbft');
  const agreedNamespaces = options.agreedNamespaces ?? DEFAULT_AGREED_NAMESPACES;
  const critical = new Critical({
    selfId: identity.id,
    transport: chunkedTransport(mesh.openLanes(PBFT_LANE_TYPE_CODES), {
      ...PBFT_CHUNKING,
      clock: wallClock,
    }),
    clock: wallClock,
    crypto: webCryptoPort(identity, (detail) =>
      emit({ atMs: wallClock.nowMs(), level: 'error', kind: 'crypto-error', detail }),
    ),
    prng: createSeededPrng(platform.randomSeed()),
    storage,
    ...(options.critical?.proposalTimeoutMs === undefined
      ? {}
      : { proposalTimeoutMs: options.critical.proposalTimeoutMs }),
    ...(options.critical?.formingWaitMs === undefined
      ? {}
      : { formingWaitMs: options.critical.formingWaitMs }),
    config: { ...MESH_PBFT_DEFAULTS, ...options.critical?.pbft },
    onEvent: (event) => emit({ atMs: wallClock.nowMs(), ...pbftEventOf(event) }),
  });
  // The first replica set starting changes `critical.status()` and nothing else a page sees:
  // say so in the event log, so whoever waits for the group to form hears of it.
  const offFormed = critical.onConfiguration((known) => {
    offFormed();
    emit({
      atMs: wallClock.nowMs(),
      level: 'info',
      kind: 'pbft-formed',
      detail: `${known.replicas.length} replicas (epoch ${known.epoch}); this agent: ${critical.currentRole}`,
    });
  });
  // Every replica applies an agreed configuration at the sequence number that set it, and
  // again from the state it restored (a reload, a state transfer).
  const applyConfig = () => {
    const value = critical.app.stateOf(CONFIG_KIND).gossipIntervalMs;
    if (typeof value === 'number') mesh.setGossipIntervalMs(value);
  };
  critical.onExecuted((entry) => {
    if (entry.kind === CONFIG_KIND) applyConfig();
  });
  critical.app.onRestored(applyConfig);
  for (const [kind, definition] of Object.entries(criticalTaskKinds()))
    critical.register(kind, definition);
  for (const [kind, definition] of Object.entries(options.kinds ?? {})) {
    critical.register(kind, definition);
  }
  const raftNamespaces = options.raftNamespaces ?? DEFAULT_RAFT_NAMESPACES;
  const taskTable = new TaskLedgerExtension();
  const raft = new LedgerAgent({
    extensions: [taskTable],
    membership: mesh,
    transport: mesh.openLanes(RAFT_LANE_TYPE_CODES),
    clock: wallClock,
    prng: createSeededPrng(platform.randomSeed()),
    storage: await platform.openRecordStore(options.room, identity.id, 'raft'),
    settings: options.ledger,
    emit,
  });
  const { ledger } = raft;
  const utf8 = new TextEncoder();
  const tasks = new Tasks({
    selfId: identity.id,
    transport: chunkedTransport(mesh.openLanes(TASK_LANE_TYPE_CODES), {
      ...TASK_CHUNKING,
      clock: wallClock,
    }),
    clock: wallClock,
    runner: platform.createTaskRunner(identity.id),
    capabilities: platform.capabilities(),
    ledger: taskLedgerPort(ledger),
    table: taskTable,
    digestOf: (text) => sha256Hex(utf8.encode(text)),
    membership: () => {
      const { members } = mesh.snapshot();
      const self = members.find((m) => m.self);
      return { reached: reachedIds(members), pageUtilisation: self?.load?.cpu ?? 0 };
    },
    isLedgerLeader: () => ledger.isLeader,
    randomHex: () => randomHex(8),
    resolveUrl: platform.resolveKindUrl,
    acceptsKindUrl: platform.acceptsKindUrl,
    log: (level, kind, detail) => emit({ atMs: wallClock.nowMs(), level, kind, detail }),
    emit: (event) => {
      const logged = taskEventOf(event);
      if (logged !== null) emit({ atMs: wallClock.nowMs(), ...logged });
    },
    critical: {
      // A replica knows f; a client (or an agent still forming) answers null.
      faultTolerance: () => {
        const { n, f } = critical.status();
        return n > 0 ? f : null;
      },
      propose: (action) => critical.propose(action).then(({ result }) => result),
      flags: () => flagsIn(critical.app.stateOf(CRITICAL_TASKS_STATE)),
    },
  });
  mesh.onSlowCommand((factor) => tasks.setSlowdown(factor));
  mesh.onBehaviourCommand((behaviour) => {
    critical.setBehaviour(behaviour);
    tasks.setBehaviour(behaviour);
  });
  const agreement = tieredAgreement([
    {
      namespaces: agreedNamespaces,
      hook: agreementHookOf(criticalMemoryTier(critical), wallClock),
    },
    {
      namespaces: raftNamespaces,
      hook: agreementHookOf(raft.memory.tier(ledger, identity.id), wallClock),
    },
  ]);
  const shared = new SharedState({
    room: options.room,
    selfId: identity.id,
    transport: mesh.openLane(CRDT_LANE_TYPE_CODE),
    clock: wallClock,
    random: createSeededPrng(platform.randomSeed()),
    observer: { onEvent: emit },
    meshSnapshot: () => mesh.snapshot(),
    coordinator: () => ledger.coordinator()?.leader ?? null,
    awareness: options.awareness === true,
    memory: { agreedNamespaces: [...agreedNamespaces, ...raftNamespaces], agreement },
    ...(platform.docPersistence === undefined ? {} : { persistence: platform.docPersistence }),
  });
  const board = memoryGroupListBoard(shared.memory, PBFT_LISTS_PREFIX, PBFT_MAX_REPLICAS);
  const genesis = new GenesisDriver({
    membership: mesh,
    board,
    target: critical,
    storage,
    clock: wallClock,
    factKey: GENESIS_FACT_KEY,
    minMembers: options.critical?.minReplicas ?? 4,
    maxMembers: PBFT_MAX_REPLICAS,
  });
  const { maxReplicas, removeAfterMs, addAfterMs } = options.critical ?? {};
  const reconfiguration = new ReconfigurationDriver({
    membership: mesh,
    board,
    critical,
    clock: wallClock,
    ...(maxReplicas === undefined ? {} : { maxReplicas }),
    ...(removeAfterMs === undefined ? {} : { removeAfterMs }),
    ...(addAfterMs === undefined ? {} : { addAfterMs }),
  });
  shared.awareness?.setLocalState({ agent: identity.id });
  mesh.start();
  genesis.start();
  reconfiguration.start();
  raft.start(shared.memory);
  tasks.attachMemory(shared.memory);
  tasks.start();
  emit({
    atMs: wallClock.nowMs(),
    level: 'info',
    kind: 'mesh-created',
    detail: `agent ${shortId(identity.id)} in room ${options.room}`,
  });
  let left = false;
  return {
    id: identity.id,
    room: options.room,
    memory: shared.memory,
    shared,
    ready: shared.ready,
    commands: mesh.commands,
    critical: {
      propose: (action) => critical.propose(action),
      status: () => critical.status(),
      log: (query) => critical.log(query),
      register: (kind, definition) => critical.register(kind, definition),
    },
    ledger: ledgerApiOf(ledger),
    tasks: tasksApiOf(tasks),
    snapshot: () => ({
      ...mesh.snapshot(),
      consensus: critical.view(),
      ledger: ledger.view(),
      tasks: tasks.view(),
    }),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setFault: (peer, fault) => mesh.setFault(peer, fault),
    setupTimes: () => mesh.setupTimes(),
    leave: () => {
      if (left) return;
      left = true;
      genesis.stop();
      reconfiguration.stop();
      tasks.stop();
      raft.stop();
      critical.stop();
      shared.stop();
      mesh.leave();
    },
  };
}
