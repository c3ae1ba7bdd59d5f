import type { ConsensusView, ReplicaSlotStatus } from '../../host/consensusView';
import type { RaftEvent } from '../../core/raft/types';
import type { LedgerView } from '../../host/ledgerView';
import type { TasksView } from '../../host/taskRecorder';
/**
 * Builds MeshSnapshots from arguments, for unit tests (and a temporary screenshot harness).
 * Nothing in the app imports this: the dashboard never shows made-up data.
 */
import { asAgentId, shortId, type AgentId } from '../../core/base/ids';
import type { EdgeView } from '../../core/links/types';
import type {
  ChaosView,
  LinkFault,
  LinkState,
  LinkView,
  MemberStatus,
  MemberView,
  MeshSnapshot,
  QuorumView,
  SignalingState,
} from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';

/** A valid, deterministic agent id whose short form differs for every n. */
export function fixtureId(n: number): AgentId {
  const head = (Math.imul(n + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
  return asAgentId((head + n.toString(16).padStart(8, '0')).repeat(4));
}

export interface PeerFixture {
  id: AgentId;
  state?: LinkState;
  rttMs?: number | null;
  openSinceMs?: number | null;
  initiator?: boolean;
  fault?: Partial<LinkFault>;
  framesDroppedByFault?: number;
}

export interface EdgeFixture {
  a: AgentId;
  b: AgentId;
  rttMs?: number | null;
}

export interface SnapshotFixture {
  selfId: AgentId;
  room?: string;
  nowMs?: number;
  signaling?: SignalingState;
  peers?: PeerFixture[];
  /** Links between other agents, as neighbours advertise them. */
  advertised?: EdgeFixture[];
  /** The membership view; `self` is set from selfId. */
  members?: MemberFixture[];
  /** Defaults to what `members` implies (see defaultQuorum). */
  quorum?: Partial<QuorumView>;
  chaos?: Partial<ChaosView>;
  consensus?: ConsensusView | null;
  ledger?: LedgerView | null;
  tasks?: TasksView | null;
}

export interface MemberFixture {
  id: AgentId;
  status?: MemberStatus;
  incarnation?: number;
  sinceMs?: number;
  /** CPU use 0..1; omitted = unknown. */
  cpu?: number;
  suspectedBy?: AgentId[];
  reason?: string | null;
  /** Heard within the reach window; omitted = yes unless dead. */
  reached?: boolean;
}

function memberOf(selfId: AgentId, m: MemberFixture): MemberView {
  return {
    id: m.id,
    self: m.id === selfId,
    status: m.status ?? 'alive',
    incarnation: m.incarnation ?? 0,
    sinceMs: m.sinceMs ?? 0,
    load: m.cpu === undefined ? null : { cpu: m.cpu },
    suspectedBy: m.suspectedBy ?? [],
    reason: m.reason ?? null,
    reached: m.reached ?? m.status !== 'dead',
  };
}

/**
 * A plausible quorum for a membership view: the membership is every member that has not left,
 * reachable are the alive ones (self included), a majority is needed.
 */
export function defaultQuorum(members: readonly MemberView[]): QuorumView {
  if (members.length === 0) return { reachable: 1, membershipSize: 1, hasQuorum: true };
  const membershipSize = members.filter((m) => m.status !== 'left').length;
  const reachable = members.filter((m) => m.status === 'alive' || m.self).length;
  return { reachable, membershipSize, hasQuorum: 2 * reachable > membershipSize };
}

/** A membership event as the host logs it: kind member-<status>, subject in `peer`. */
export function memberEvent(kind: string, peer: AgentId, atMs: number, detail?: string): MeshEvent {
  const level = kind === 'member-dead' ? 'error' : kind === 'member-suspect' ? 'warn' : 'info';
  return detail === undefined ? { atMs, level, kind, peer } : { atMs, level, kind, peer, detail };
}

function linkOf(peer: PeerFixture): LinkView {
  const state = peer.state ?? 'open';
  return {
    peer: peer.id,
    state,
    initiator: peer.initiator ?? false,
    rttMs: peer.rttMs ?? null,
    lastRttMs: peer.rttMs ?? null,
    recentRttMs: peer.rttMs === undefined || peer.rttMs === null ? [] : [peer.rttMs],
    openSinceMs: peer.openSinceMs ?? (state === 'open' ? 0 : null),
    fault: { cut: false, dropRate: 0, delayMs: 0, ...peer.fault },
    framesDroppedByFault: peer.framesDroppedByFault ?? 0,
  };
}

/** Own links become 'self' edges when open; `advertised` become 'peer' edges. */
export function buildSnapshot(fixture: SnapshotFixture): MeshSnapshot {
  const links = (fixture.peers ?? []).map(linkOf);
  const ownEdges: EdgeView[] = links
    .filter((l) => l.state === 'open')
    .map((l) => ({ a: fixture.selfId, b: l.peer, rttMs: l.rttMs, source: 'self' }));
  const advertised: EdgeView[] = (fixture.advertised ?? []).map((e) => ({
    a: e.a,
    b: e.b,
    rttMs: e.rttMs ?? null,
    source: 'peer',
  }));
  const members = (fixture.members ?? []).map((m) => memberOf(fixture.selfId, m));
  return {
    selfId: fixture.selfId,
    room: fixture.room ?? 'test-room',
    nowMs: fixture.nowMs ?? 0,
    signaling: { state: fixture.signaling ?? 'open', url: 'ws://localhost:8080', reconnects: 0 },
    links,
    edges: [...ownEdges, ...advertised],
    members,
    quorum: { ...defaultQuorum(members), ...fixture.quorum },
    chaos: {
      partition: null,
      frozenUntilMs: null,
      behaviours: {},
      lastCommand: null,
      ...fixture.chaos,
    },
    consensus: fixture.consensus ?? null,
    ledger: fixture.ledger ?? null,
    tasks: fixture.tasks ?? null,
    stats: {
      framesIn: 0,
      framesOut: 0,
      bytesIn: 0,
      bytesOut: 0,
      framesRejected: {
        oversized: 0,
        truncated: 0,
        'bad-version': 0,
        'unknown-type': 0,
        'malformed-body': 0,
        'invalid-fields': 0,
      },
      framesTooLargeToSend: 0,
      forgedMessages: 0,
      connectionsCreated: links.length,
      connectionBudget: 32,
      handshakeFailures: 0,
    },
  };
}

export interface Scenario {
  snapshot: MeshSnapshot;
  events: MeshEvent[];
}

const SCENARIO_NOW_MS = 120_000;

/**
 * Five agents in a full mesh as agent 0 sees it: agent 3 is suspected by two members, agent 4
 * was confirmed dead (its links are down). Membership events explain both verdicts.
 */
export function suspectAndDeadScenario(): Scenario {
  const ids = [0, 1, 2, 3, 4].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId, AgentId];
  const [self, a, b, c, d] = ids;
  const now = SCENARIO_NOW_MS;
  const snapshot = buildSnapshot({
    selfId: self,
    room: 'lab',
    nowMs: now,
    peers: [
      { id: a, rttMs: 0.7, openSinceMs: 10_000 },
      { id: b, rttMs: 1.4, openSinceMs: 11_000, initiator: true },
      { id: c, rttMs: 38, openSinceMs: 12_000, fault: { delayMs: 150, dropRate: 0.2 } },
      { id: d, state: 'closed', openSinceMs: null },
    ],
    advertised: [
      { a, b, rttMs: 0.9 },
      { a, b: c, rttMs: 41 },
      { a: b, b: c, rttMs: 44 },
    ],
    members: [
      { id: self, incarnation: 2, sinceMs: 8_000, cpu: 0.18 },
      { id: a, incarnation: 1, sinceMs: 10_000, cpu: 0.42, reason: 'joined via signaling' },
      {
        id: b,
        incarnation: 3,
        sinceMs: 64_000,
        cpu: 0.71,
        reason: 'refuted suspicion (incarnation 3)',
      },
      {
        id: c,
        status: 'suspect',
        incarnation: 1,
        sinceMs: 112_000,
        cpu: 0.93,
        suspectedBy: [self, a],
        reason: `direct probe timed out after 500 ms; indirect probes via ${a.slice(0, 8)}, ${b.slice(0, 8)} failed`,
      },
      {
        id: d,
        status: 'dead',
        incarnation: 4,
        sinceMs: 96_000,
        reason: `suspicion not refuted within 5 s; confirmed by ${a.slice(0, 8)}, ${b.slice(0, 8)}`,
      },
    ],
  });
  const events: MeshEvent[] = [
    memberEvent('member-joined', a, 10_000, 'joined via signaling'),
    memberEvent('member-joined', b, 11_000, 'joined via signaling'),
    memberEvent('member-joined', c, 12_000, 'joined via signaling'),
    memberEvent('member-joined', d, 13_000, 'joined via signaling'),
    memberEvent(
      'member-suspect',
      b,
      58_000,
      'direct probe timed out; 1 of 3 indirect probes failed',
    ),
    memberEvent('member-alive', b, 64_000, 'refuted suspicion (incarnation 3)'),
    memberEvent('member-suspect', d, 91_000, 'direct and 3 indirect probes failed'),
    memberEvent(
      'member-dead',
      d,
      96_000,
      `suspicion not refuted within 5 s; confirmed by ${a.slice(0, 8)}, ${b.slice(0, 8)}`,
    ),
    { atMs: 96_500, level: 'warn', kind: 'link-down', peer: d, detail: 'link timeout' },
    memberEvent(
      'member-suspect',
      c,
      112_000,
      `direct probe timed out after 500 ms; indirect probes via ${a.slice(0, 8)}, ${b.slice(0, 8)} failed`,
    ),
  ];
  return { snapshot, events };
}

/**
 * Five agents split 3 | 2 as agent 3 (on the minority side) sees it: its partner 4 is alive,
 * the three others are suspect or dead, and it holds no quorum.
 */
export function minorityPartitionScenario(): Scenario {
  const ids = [0, 1, 2, 3, 4].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId, AgentId];
  const [a, b, c, self, partner] = ids;
  const now = SCENARIO_NOW_MS;
  const cut = { cut: true };
  const snapshot = buildSnapshot({
    selfId: self,
    room: 'lab',
    nowMs: now,
    peers: [
      { id: partner, rttMs: 0.8, openSinceMs: 9_000 },
      { id: a, state: 'closed', openSinceMs: null, fault: cut, framesDroppedByFault: 214 },
      { id: b, state: 'closed', openSinceMs: null, fault: cut, framesDroppedByFault: 198 },
      { id: c, state: 'closed', openSinceMs: null, fault: cut, framesDroppedByFault: 187 },
    ],
    members: [
      { id: self, incarnation: 1, sinceMs: 9_000, cpu: 0.22 },
      { id: partner, incarnation: 0, sinceMs: 9_500, cpu: 0.31 },
      {
        id: a,
        status: 'dead',
        incarnation: 0,
        sinceMs: 101_000,
        reason: `suspicion not refuted within 5 s; confirmed by ${partner.slice(0, 8)}`,
      },
      {
        id: b,
        status: 'dead',
        incarnation: 0,
        sinceMs: 102_000,
        reason: `suspicion not refuted within 5 s; confirmed by ${partner.slice(0, 8)}`,
      },
      {
        id: c,
        status: 'suspect',
        incarnation: 2,
        sinceMs: 110_000,
        suspectedBy: [self, partner],
        reason: `direct probe timed out; indirect probe via ${partner.slice(0, 8)} failed`,
      },
    ],
    quorum: { reachable: 2, membershipSize: 5, hasQuorum: false },
    chaos: {
      partition: [
        [self, partner],
        [a, b, c],
      ],
    },
  });
  const events: MeshEvent[] = [
    { atMs: 94_000, level: 'warn', kind: 'chaos-partition', detail: '2 | 3' },
    memberEvent('member-suspect', a, 95_500, 'direct and indirect probes failed'),
    memberEvent('member-suspect', b, 96_200, 'direct and indirect probes failed'),
    memberEvent(
      'member-dead',
      a,
      101_000,
      `suspicion not refuted within 5 s; confirmed by ${partner.slice(0, 8)}`,
    ),
    memberEvent(
      'member-dead',
      b,
      102_000,
      `suspicion not refuted within 5 s; confirmed by ${partner.slice(0, 8)}`,
    ),
    memberEvent(
      'member-suspect',
      c,
      110_000,
      `direct probe timed out; indirect probe via ${partner.slice(0, 8)} failed`,
    ),
  ];
  return { snapshot, events };
}

/** A deterministic 64-digit hex digest, different for every n. */
export function fixtureDigest(n: number): string {
  return (Math.imul(n + 7, 2246822519) >>> 0).toString(16).padStart(8, '0').repeat(8);
}

/**
 * Four pBFT replicas as replica 2 sees them in view 1. The view-0 primary (replica 0) sent two
 * pre-prepares for seq 4, was flagged, and the replicas moved to view 1 (primary replica 1).
 * Seqs 5..8 are in the window at different phases; 1..5 are executed, 4 is a stable checkpoint.
 */
export function consensusScenario(): Scenario {
  const ids = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];
  const [r0, r1, self, r3] = ids;
  const now = SCENARIO_NOW_MS;
  const slot = (
    seq: number,
    phase: ConsensusView['slots'][number]['phase'],
    others: [ReplicaSlotStatus, ReplicaSlotStatus, ReplicaSlotStatus],
  ): ConsensusView['slots'][number] => ({
    seq,
    view: 1,
    digest: fixtureDigest(seq),
    requestCount: 1,
    kinds: ['demo.increment'],
    phase,
    replicas: { [r0]: others[0], [r1]: others[1], [self]: phase, [r3]: others[2] },
  });
  const executed = (seq: number, view: number, proposer: AgentId) => ({
    seq,
    index: 0,
    view,
    digest: fixtureDigest(100 + seq),
    kind: 'demo.increment',
    proposer,
  });
  const consensus: ConsensusView = {
    role: 'replica',
    formingDetail: null,
    status: {
      epoch: 0,
      replicas: ids,
      n: 4,
      f: 1,
      quorum: 3,
      view: 1,
      viewInEpoch: 1,
      primary: r1,
      lastExecutedSeq: 5,
      stableCheckpointSeq: 4,
      behaviour: 'honest',
    },
    viewStatus: 'normal',
    targetView: 1,
    slots: [
      slot(5, 'executed', ['none', 'prepared', 'prepared']),
      slot(6, 'committed', ['none', 'prepared', 'pre-prepared']),
      slot(7, 'prepared', ['none', 'prepared', 'pre-prepared']),
      slot(8, 'pre-prepared', ['none', 'pre-prepared', 'none']),
    ],
    log: [
      executed(1, 0, self),
      executed(2, 0, r1),
      executed(3, 0, r3),
      executed(4, 1, self),
      executed(5, 1, r1),
    ],
    checkpoints: [{ atMs: 104_000, seq: 4, stateDigest: fixtureDigest(40) }],
    viewChanges: [
      {
        atMs: 96_000,
        fromView: 0,
        toView: 1,
        reason: `primary ${shortId(r0)} equivocated on seq 4; 3 view-change messages`,
      },
    ],
    flagged: [
      {
        atMs: 95_500,
        replica: r0,
        kind: 'equivocation',
        evidence: `two signed pre-prepares for view 0 seq 4: digests ${fixtureDigest(1).slice(0, 16)} and ${fixtureDigest(2).slice(0, 16)}`,
      },
    ],
    recentMessages: [
      { atMs: now - 900, from: r1, to: self, type: 'pre-prepare', seq: 8 },
      { atMs: now - 700, from: self, to: r1, type: 'prepare', seq: 7 },
      { atMs: now - 650, from: r3, to: self, type: 'prepare', seq: 7 },
      { atMs: now - 400, from: self, to: r3, type: 'commit', seq: 6 },
      { atMs: now - 300, from: r1, to: self, type: 'commit', seq: 6 },
    ],
    rejected: { 'stale-view': 3 },
    pendingRequests: 1,
    outstandingProposals: 0,
  };
  const snapshot = buildSnapshot({
    selfId: self,
    room: 'lab',
    nowMs: now,
    peers: [
      { id: r0, rttMs: 0.9, openSinceMs: 10_000 },
      { id: r1, rttMs: 1.2, openSinceMs: 10_500 },
      { id: r3, rttMs: 0.8, openSinceMs: 11_000 },
    ],
    advertised: [
      { a: r0, b: r1, rttMs: 1.1 },
      { a: r0, b: r3, rttMs: 1.0 },
      { a: r1, b: r3, rttMs: 1.3 },
    ],
    members: ids.map((id) => ({ id, sinceMs: 10_000 })),
    consensus,
  });
  return { snapshot, events: [] };
}

/**
 * The Raft group behind `mesh.ledger` as agent `self` sees it, five agents: 0..3 vote, 4 is a
 * learner. Agent 0 led term 1, handed over to agent 1 (term 2), installed a snapshot from it,
 * and won term 3 after agent 1 was cut off and stepped down by check-quorum. `self` is the
 * leader (agent 0, with every follower's progress) or a follower (agent 1, the old leader).
 */
export function raftLedgerView(self: 'leader' | 'follower'): LedgerView {
  const [a0, a1, a2, a3, a4] = [0, 1, 2, 3, 4].map(fixtureId) as [
    AgentId,
    AgentId,
    AgentId,
    AgentId,
    AgentId,
  ];
  const leads = self === 'leader';
  // Each node logs only what it lived through: `by` says who saw the event (L, F or both).
  const events: [atMs: number, by: 'LF' | 'L' | 'F', event: RaftEvent][] = [
    [10_000, 'L', { type: 'raft-election', term: 1, reason: 'timeout', preVote: true }],
    [10_040, 'L', { type: 'raft-election', term: 1, reason: 'timeout', preVote: false }],
    [10_090, 'LF', { type: 'raft-leader', term: 1, leader: a0 }],
    [
      12_000,
      'LF',
      { type: 'raft-members', index: 3, members: { voters: [a0, a1, a2], learners: [a3] } },
    ],
    [
      20_000,
      'LF',
      { type: 'raft-members', index: 5, members: { voters: [a0, a1, a2, a3], learners: [a4] } },
    ],
    [40_000, 'L', { type: 'raft-transfer', to: a1, outcome: 'started' }],
    [40_060, 'F', { type: 'raft-election', term: 2, reason: 'transfer', preVote: false }],
    [40_080, 'L', { type: 'raft-step-down', term: 2, reason: 'higher-term' }],
    [40_090, 'LF', { type: 'raft-leader', term: 2, leader: a1 }],
    [52_000, 'L', { type: 'raft-snapshot-installed', index: 40, from: a1 }],
    [69_500, 'F', { type: 'raft-step-down', term: 2, reason: 'check-quorum' }],
    [70_000, 'L', { type: 'raft-election', term: 3, reason: 'timeout', preVote: true }],
    [70_030, 'L', { type: 'raft-election', term: 3, reason: 'timeout', preVote: false }],
    [70_080, 'LF', { type: 'raft-leader', term: 3, leader: a0 }],
  ];
  const timeline = events
    .filter(([, by]) => by.includes(leads ? 'L' : 'F'))
    .map(([atMs, , event]) => ({ atMs, event }));
  const recent: LedgerView['recent'] = [
    { index: 47, term: 2, entry: { kind: 'put', key: 'config/replicas', value: 4 } },
    { index: 48, term: 2, entry: { task: 'render', tile: 17, by: shortId(a2) } },
    { index: 49, term: 2, entry: { task: 'render', tile: 18, by: shortId(a3) } },
    {
      index: 52,
      term: 3,
      entry: { kind: 'cas', key: 'lock/render', expected: null, value: shortId(a0) },
    },
    { index: 53, term: 3, entry: 'checkpoint' },
    {
      index: 54,
      term: 3,
      entry: {
        task: 'encode',
        frames: [1, 2, 3, 4, 5, 6, 7, 8],
        note: 'a long entry, cut short in its row',
      },
    },
    { index: 55, term: 3, entry: { kind: 'put', key: 'leader/note', value: 'term 3' } },
    { index: 57, term: 3, entry: { task: 'render', tile: 19, by: shortId(a1) } },
  ];
  return {
    status: {
      role: leads ? 'leader' : 'follower',
      term: 3,
      leader: a0,
      commitIndex: 57,
      appliedIndex: leads ? 57 : 55,
      voters: [a0, a1, a2, a3],
      learners: [a4],
    },
    formingDetail: null,
    progress: leads
      ? [
          {
            peer: a4,
            voter: false,
            matchIndex: 30,
            nextIndex: 41,
            state: 'snapshot',
            inflight: 0,
            active: true,
          },
          {
            peer: a1,
            voter: true,
            matchIndex: 57,
            nextIndex: 59,
            state: 'replicate',
            inflight: 1,
            active: true,
          },
          {
            peer: a3,
            voter: true,
            matchIndex: 41,
            nextIndex: 42,
            state: 'probe',
            inflight: 0,
            active: false,
          },
          {
            peer: a2,
            voter: true,
            matchIndex: 58,
            nextIndex: 59,
            state: 'replicate',
            inflight: 0,
            active: true,
          },
        ]
      : [],
    lastIndex: leads ? 58 : 57,
    snapshotIndex: 40,
    timeline,
    recent: leads ? recent : recent.slice(0, -1),
    pendingOperations: leads ? 1 : 0,
  };
}

/** The Raft group (raftLedgerView) as its leader (agent 0) or a follower (agent 1) sees it. */
export function raftScenario(self: 'leader' | 'follower'): Scenario {
  const ids = [0, 1, 2, 3, 4].map(fixtureId);
  const selfId = fixtureId(self === 'leader' ? 0 : 1);
  const others = ids.filter((id) => id !== selfId);
  const snapshot = buildSnapshot({
    selfId,
    room: 'lab',
    nowMs: SCENARIO_NOW_MS,
    peers: others.map((id, i) => ({ id, rttMs: 0.8 + i / 10, openSinceMs: 9_000 })),
    members: ids.map((id) => ({ id, sinceMs: 9_000 })),
    ledger: raftLedgerView(self),
  });
  return { snapshot, events: [] };
}
