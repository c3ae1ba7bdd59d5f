import { describe, expect, it } from 'vitest';
import { createTopologyLayout, islandCentre, type Point } from './topologyLayout';

const ring = ['a', 'b', 'c', 'd'];
const ringLinks = [
  { a: 'a', b: 'b' },
  { a: 'b', b: 'c' },
  { a: 'c', b: 'd' },
  { a: 'd', b: 'a' },
];
const asNodes = (ids: string[]) => ids.map((id) => ({ id }));
const distance = (p: Point | undefined, q: Point | undefined) =>
  p && q ? Math.hypot(p.x - q.x, p.y - q.y) : Infinity;

describe('createTopologyLayout', () => {
  it('places every node at a finite, distinct position', () => {
    const positions = createTopologyLayout().update(asNodes(ring), ringLinks);
    expect([...positions.keys()].sort()).toEqual(ring);
    const points = [...positions.values()];
    for (const p of points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        expect(distance(points[i], points[j])).toBeGreaterThan(30);
      }
    }
  });

  it('returns the same positions while the topology is unchanged', () => {
    const layout = createTopologyLayout();
    const first = layout.update(asNodes(ring), ringLinks);
    const reordered = layout.update(asNodes([...ring].reverse()), [...ringLinks].reverse());
    expect(reordered).toBe(first);
  });

  it('keeps surviving nodes where they were when a node joins and another leaves', () => {
    // The newcomer comes first in the list, so a fresh layout would start everyone elsewhere.
    const nextNodes = asNodes(['e', 'c', 'a', 'b']);
    const nextLinks = [
      { a: 'a', b: 'b' },
      { a: 'b', b: 'c' },
      { a: 'c', b: 'e' },
      { a: 'a', b: 'e' },
    ];
    const layout = createTopologyLayout();
    const before = new Map(layout.update(asNodes(ring), ringLinks));
    const after = layout.update(nextNodes, nextLinks);
    const fresh = createTopologyLayout().update(nextNodes, nextLinks);

    expect(after.has('d')).toBe(false);
    expect(after.has('e')).toBe(true);
    const moved = (positions: ReadonlyMap<string, Point>) =>
      Math.max(...['a', 'b', 'c'].map((id) => distance(positions.get(id), before.get(id))));
    expect(moved(after)).toBeLessThan(30);
    expect(moved(fresh)).toBeGreaterThan(60); // the scenario can tell the two apart
    // The newcomer takes a place near its neighbours, not on top of anyone.
    expect(distance(after.get('e'), after.get('a'))).toBeGreaterThan(30);
    expect(distance(after.get('e'), after.get('c'))).toBeLessThan(250);
  });

  it('barely moves anything when only a link is cut', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const tree = ids.slice(1).map((id, i) => ({ a: ids[Math.floor(i / 2)] ?? '', b: id }));
    const layout = createTopologyLayout();
    const before = new Map(layout.update(asNodes(ids), tree));
    const after = layout.update(asNodes(ids), tree.slice(1));
    expect(after).not.toBe(before);
    for (const id of ids) expect(distance(after.get(id), before.get(id))).toBeLessThan(30);
  });

  it('ignores links to unknown nodes', () => {
    const positions = createTopologyLayout().update(asNodes(['a', 'b']), [
      { a: 'a', b: 'b' },
      { a: 'a', b: 'ghost' },
    ]);
    expect([...positions.keys()].sort()).toEqual(['a', 'b']);
  });
});

describe('islands', () => {
  const ids = ['s', 'a', 'b', 'c', 'd'];
  const full = ids.flatMap((x, i) => ids.slice(i + 1).map((y) => ({ a: x, b: y })));
  const split = (island: (id: string) => number | null) =>
    ids.map((id) => ({ id, anchored: id === 's', island: island(id) }));
  const sideOf = (id: string) => (['s', 'a', 'b'].includes(id) ? 0 : 1);
  // Only links inside an island hold nodes together during a split.
  const inside = full.filter((l) => sideOf(l.a) === sideOf(l.b));

  it('pulls the two sides of a split apart, the own side on the left', () => {
    const layout = createTopologyLayout();
    layout.update(
      split(() => null),
      full,
    );
    const positions = layout.update(split(sideOf), inside);
    const xs = (side: number) =>
      ids.filter((id) => sideOf(id) === side).map((id) => positions.get(id)?.x ?? NaN);
    expect(Math.max(...xs(0))).toBeLessThan(Math.min(...xs(1)));
    const gap = Math.min(...xs(1)) - Math.max(...xs(0));
    expect(gap).toBeGreaterThan(40);
  });

  it('moves the islands back together after a heal', () => {
    const layout = createTopologyLayout();
    layout.update(
      split(() => null),
      full,
    );
    const apart = new Map(layout.update(split(sideOf), inside));
    const healed = layout.update(
      split(() => null),
      full,
    );
    const centre = (positions: ReadonlyMap<string, Point>, side: number) => {
      const pts = ids.filter((id) => sideOf(id) === side).map((id) => positions.get(id));
      return {
        x: pts.reduce((s, p) => s + (p?.x ?? 0), 0) / pts.length,
        y: pts.reduce((s, p) => s + (p?.y ?? 0), 0) / pts.length,
      };
    };
    const spread = (positions: ReadonlyMap<string, Point>) =>
      distance(centre(positions, 0), centre(positions, 1));
    expect(spread(healed)).toBeLessThan(spread(apart) * 0.7);
  });

  it('places island centres round a circle, island 0 on the left', () => {
    const two = [islandCentre(0, 2, 100), islandCentre(1, 2, 100)];
    expect(two[0]?.x).toBeCloseTo(-100);
    expect(two[1]?.x).toBeCloseTo(100);
    expect(islandCentre(0, 1, 100)).toEqual({ x: 0, y: 0 });
  });
});
