import { describe, expect, it } from 'vitest';
import { createTopologyLayout, type Point } from './topologyLayout';

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
