import { polygonHull } from 'd3';
import type { Point } from './topologyLayout';

export interface IslandShape {
  index: number;
  /** The hull of the island's nodes (fewer than three points: the points themselves). */
  outline: Point[];
  /** Where the island's caption goes: above its topmost node, clear of the padding. */
  labelAt: Point;
}

/**
 * Shapes of the islands of a partition, in panel pixels. The view draws each outline with a
 * thick round-joined stroke of `padding` px on each side, plus a disc of the same radius on each
 * node, so one node, a pair and a crowd all read as one soft blob.
 */
export function islandShapes(
  islands: readonly { index: number; points: readonly Point[] }[],
  padding: number,
): IslandShape[] {
  return islands
    .filter((island) => island.points.length > 0)
    .map(({ index, points }) => {
      const pairs = points.map((p): [number, number] => [p.x, p.y]);
      const hull = points.length >= 3 ? polygonHull(pairs) : null;
      const outline = (hull ?? pairs).map(([x, y]) => ({ x, y }));
      let top = points[0] as Point;
      let minX = Infinity;
      let maxX = -Infinity;
      for (const p of points) {
        if (p.y < top.y) top = p;
        minX = Math.min(minX, p.x);
        maxX = Math.max(maxX, p.x);
      }
      return { index, outline, labelAt: { x: (minX + maxX) / 2, y: top.y - padding - 6 } };
    });
}

/** An SVG path through the outline (closed when it has three points or more). */
export function outlinePath(outline: readonly Point[]): string {
  if (outline.length === 0) return '';
  const [first, ...rest] = outline as [Point, ...Point[]];
  const move = `M${first.x.toFixed(1)},${first.y.toFixed(1)}`;
  const lines = rest.map((p) => `L${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
  return outline.length >= 3 ? `${move}${lines}Z` : `${move}${lines}`;
}
