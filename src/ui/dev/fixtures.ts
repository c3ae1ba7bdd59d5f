/**
 * Builds MeshSnapshots from arguments, for unit tests (and a temporary screenshot harness).
 * Nothing in the app imports this: the dashboard never shows made-up data.
 */
import { asAgentId, type AgentId } from '../../core/base/ids';
import type { EdgeView } from '../../core/links/types';
import type {
  LinkFault,
  LinkState,
  LinkView,
  MeshSnapshot,
  SignalingState,
} from '../../host/meshSnapshot';

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
  return {
    selfId: fixture.selfId,
    room: fixture.room ?? 'test-room',
    nowMs: fixture.nowMs ?? 0,
    signaling: { state: fixture.signaling ?? 'open', url: 'ws://localhost:8080', reconnects: 0 },
    links,
    edges: [...ownEdges, ...advertised],
    members: [],
    quorum: { reachable: 1, membershipSize: 1, hasQuorum: true },
    chaos: { partition: null, frozenUntilMs: null },
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
