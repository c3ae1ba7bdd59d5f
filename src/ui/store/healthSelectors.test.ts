import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { buildSnapshot, fixtureId } from '../dev/fixtures';
import {
  MAX_SYNTHETIC_CUT_EDGES,
  selectGraphEdges,
  selectGraphNodes,
  selectIslands,
} from './selectors';

const ids = [0, 1, 2, 3, 4, 5].map(fixtureId) as [
  AgentId,
  AgentId,
  AgentId,
  AgentId,
  AgentId,
  AgentId,
];
const [self, a, b, c, d, e] = ids;

describe('selectGraphNodes health', () => {
  it('takes health and suspicion from the membership view; non-members are unknown', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      peers: [{ id: a }, { id: b }, { id: e }],
      members: [
        { id: self },
        { id: a, status: 'suspect', suspectedBy: [self, b, c], reason: 'probe failed' },
        { id: b, status: 'alive' },
        { id: c, status: 'dead' },
        { id: d, status: 'left' },
      ],
    });
    const byId = new Map(selectGraphNodes(snapshot).map((n) => [n.id, n]));

    expect(byId.get(self)).toMatchObject({ health: 'alive', isSelf: true, suspicions: 0 });
    expect(byId.get(a)).toMatchObject({ health: 'suspect', suspicions: 3, reason: 'probe failed' });
    expect(byId.get(b)).toMatchObject({ health: 'alive', suspicions: 0 });
    // A dead member with no link left is still drawn (in red); a member that left is not.
    expect(byId.get(c)).toMatchObject({ health: 'dead', linkState: null });
    expect(byId.has(d)).toBe(false);
    // Linked but not (yet) in the membership view.
    expect(byId.get(e)).toMatchObject({ health: 'unknown', linkState: 'open' });
  });

  it('marks self frozen only while its freeze lasts', () => {
    const frozen = buildSnapshot({ selfId: self, nowMs: 1_000, chaos: { frozenUntilMs: 5_000 } });
    const over = buildSnapshot({ selfId: self, nowMs: 6_000, chaos: { frozenUntilMs: 5_000 } });
    expect(selectGraphNodes(frozen)[0]?.frozen).toBe(true);
    expect(selectGraphNodes(over)[0]?.frozen).toBe(false);
  });

  it('assigns each node its island in the active partition, this agent first', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      peers: [{ id: a }, { id: b }, { id: c }, { id: e }],
      chaos: {
        partition: [
          [self, a],
          [b, c],
        ],
      },
    });
    const nodes = selectGraphNodes(snapshot);
    const island = new Map(nodes.map((n) => [n.id, n.island]));
    expect(island.get(self)).toBe(0);
    expect(island.get(a)).toBe(0);
    expect(island.get(b)).toBe(1);
    expect(island.get(c)).toBe(1);
    expect(island.get(e)).toBeNull(); // joined after the split
    // In node order: self first, then by id.
    expect(selectIslands(nodes)).toEqual([
      { index: 0, ids: [self, a] },
      { index: 1, ids: [b, c].sort() },
    ]);
  });
});

describe('selectGraphEdges cuts', () => {
  it('marks an own link whose fault is cut, and keeps its fault', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      peers: [
        { id: a, rttMs: 1, fault: { cut: true } },
        { id: b, rttMs: 2, fault: { delayMs: 200, dropRate: 0.1 } },
      ],
    });
    const edges = selectGraphEdges(snapshot);
    const toA = edges.find((x) => x.a === a || x.b === a);
    const toB = edges.find((x) => x.a === b || x.b === b);
    expect(toA).toMatchObject({ cut: true, synthetic: false, source: 'self' });
    expect(toB).toMatchObject({ cut: false, fault: { delayMs: 200, dropRate: 0.1, cut: false } });
  });

  it('draws a synthetic cut for an own cut link that is down, and none for a healthy closed one', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      peers: [
        { id: a, state: 'closed', fault: { cut: true } },
        { id: b, state: 'closed' },
      ],
    });
    const edges = selectGraphEdges(snapshot);
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatchObject({ cut: true, synthetic: true, source: 'self' });
    expect([edges[0]?.a, edges[0]?.b].sort()).toEqual([self, a].sort());
  });

  it('cuts every edge across islands and fills in the missing cross pairs', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      peers: [{ id: a }, { id: b, state: 'closed' }, { id: c, state: 'closed' }],
      advertised: [
        { a: b, b: c }, // inside island 1: not cut
        { a, b }, // across: cut, still reported
      ],
      chaos: {
        partition: [
          [self, a],
          [b, c],
        ],
      },
    });
    const edges = selectGraphEdges(snapshot);
    const key = (x: AgentId, y: AgentId) => [x, y].sort().join('|');
    const byPair = new Map(edges.map((x) => [key(x.a, x.b), x]));

    expect(byPair.get(key(self, a))?.cut).toBe(false);
    expect(byPair.get(key(b, c))?.cut).toBe(false);
    expect(byPair.get(key(a, b))).toMatchObject({ cut: true, synthetic: false });
    // 2 x 2 pairs cross the split: all four are drawn cut, the three unreported ones synthetic.
    const cut = edges.filter((x) => x.cut);
    expect(cut.map((x) => key(x.a, x.b)).sort()).toEqual(
      [key(self, b), key(self, c), key(a, b), key(a, c)].sort(),
    );
    expect(byPair.get(key(self, b))).toMatchObject({ synthetic: true, source: 'self' });
    expect(byPair.get(key(a, c))).toMatchObject({ synthetic: true, source: 'peer' });
    for (const x of edges) expect(x.a < x.b).toBe(true);
  });

  it('draws nothing extra when healed', () => {
    const snapshot = buildSnapshot({ selfId: self, peers: [{ id: a }, { id: b }] });
    const edges = selectGraphEdges(snapshot);
    expect(edges.every((x) => !x.cut && !x.synthetic)).toBe(true);
    expect(edges).toHaveLength(2);
  });

  it('bounds the synthetic cross-island edges, keeping this agent’s own first', () => {
    const many = Array.from({ length: 24 }, (_, i) => fixtureId(100 + i));
    const left = many.slice(0, 12);
    const right = many.slice(12);
    const snapshot = buildSnapshot({
      selfId: self,
      members: [{ id: self }, ...many.map((id) => ({ id }))],
      chaos: { partition: [[self, ...left], right] },
    });
    const edges = selectGraphEdges(snapshot);
    expect(edges.filter((x) => x.synthetic)).toHaveLength(MAX_SYNTHETIC_CUT_EDGES);
    const own = edges.filter((x) => x.a === self || x.b === self);
    expect(own).toHaveLength(right.length);
  });
});
