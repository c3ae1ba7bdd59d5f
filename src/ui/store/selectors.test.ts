import { describe, expect, it } from 'vitest';
import { buildSnapshot, fixtureId } from '../dev/fixtures';
import { selectEventRows, selectGraphEdges, selectGraphNodes, selectPeerRows } from './selectors';

const self = fixtureId(0);
const [p1, p2, p3, p4] = [1, 2, 3, 4].map(fixtureId) as [
  ReturnType<typeof fixtureId>,
  ReturnType<typeof fixtureId>,
  ReturnType<typeof fixtureId>,
  ReturnType<typeof fixtureId>,
];

describe('selectGraphNodes', () => {
  it('lists self, every linked peer and every edge endpoint once, self flagged', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      peers: [
        { id: p1, rttMs: 1 },
        { id: p2, state: 'connecting' },
      ],
      advertised: [
        { a: p1, b: p3 },
        { a: p3, b: p1 },
        { a: p2, b: p4 },
        { a: p1, b: self },
      ],
    });
    const nodes = selectGraphNodes(snapshot);

    expect(nodes.map((n) => n.id).sort()).toEqual([self, p1, p2, p3, p4].sort());
    expect(nodes[0]).toMatchObject({ id: self, isSelf: true, linkState: null });
    expect(nodes.filter((n) => n.isSelf)).toHaveLength(1);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(byId.get(p1)?.linkState).toBe('open');
    expect(byId.get(p2)?.linkState).toBe('connecting');
    expect(byId.get(p3)?.linkState).toBeNull();
    expect(byId.get(p1)?.shortId).toBe(p1.slice(0, 8));
  });

  it('shows self alone when there are no links', () => {
    const nodes = selectGraphNodes(buildSnapshot({ selfId: self }));
    expect(nodes).toEqual([
      {
        id: self,
        shortId: self.slice(0, 8),
        isSelf: true,
        linkState: null,
        health: 'unknown',
        suspicions: 0,
        reason: null,
        frozen: false,
        island: null,
      },
    ]);
  });
});

describe('selectGraphEdges', () => {
  it('keeps one edge per unordered pair, preferring own reports, and drops self-loops', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      peers: [{ id: p1, rttMs: 0.6 }],
      advertised: [
        { a: p1, b: self, rttMs: 9 },
        { a: p2, b: p3 },
        { a: p3, b: p2, rttMs: 4 },
        { a: p2, b: p2 },
      ],
    });
    const edges = selectGraphEdges(snapshot);

    expect(edges).toHaveLength(2);
    const own = edges.find((e) => e.source === 'self');
    expect(own).toMatchObject({ rttMs: 0.6 });
    expect([own?.a, own?.b].sort()).toEqual([self, p1].sort());
    const advertised = edges.find((e) => e.source === 'peer');
    expect(advertised?.rttMs).toBe(4);
    for (const e of edges) expect(e.a < e.b).toBe(true);
  });
});

describe('selectPeerRows', () => {
  it('computes how long each open link has been open', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      nowMs: 10_000,
      peers: [
        { id: p2, state: 'closed', openSinceMs: null },
        { id: p1, openSinceMs: 4_000, rttMs: 2, fault: { cut: true } },
      ],
    });
    const rows = selectPeerRows(snapshot);
    expect(rows.map((r) => r.id)).toEqual([p1, p2].sort());
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(p1)).toMatchObject({ state: 'open', openForMs: 6_000, rttMs: 2 });
    expect(byId.get(p1)?.fault.cut).toBe(true);
    expect(byId.get(p2)).toMatchObject({ state: 'closed', openForMs: null });
  });
});

describe('selectEventRows', () => {
  it('lists newest first with absolute sequence numbers', () => {
    const rows = selectEventRows({
      events: [
        { atMs: 1, level: 'info', kind: 'a' },
        { atMs: 2, level: 'warn', kind: 'b' },
      ],
      droppedEvents: 10,
    });
    expect(rows.map((r) => [r.seq, r.event.kind])).toEqual([
      [11, 'b'],
      [10, 'a'],
    ]);
  });
});
