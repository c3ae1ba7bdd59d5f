import { arc } from 'd3';

/** The ring's band, inside the node's disc: clear of every ring and badge drawn outside it. */
export const LOAD_RING_INSET_PX = 2;
export const LOAD_RING_WIDTH_PX = 3;

const ring = arc<{ inner: number; outer: number; end: number }>()
  .innerRadius((d) => d.inner)
  .outerRadius((d) => d.outer)
  .startAngle(0)
  .endAngle((d) => d.end);

/**
 * The band of a node's load ring from twelve o'clock clockwise, `fraction` (0-1) of the way
 * round; an empty string for nothing to draw. The full band is the ring's track.
 */
export function loadRingPath(radiusPx: number, fraction: number): string {
  const share = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  if (share === 0) return '';
  const outer = radiusPx - LOAD_RING_INSET_PX;
  return ring({ inner: outer - LOAD_RING_WIDTH_PX, outer, end: share * 2 * Math.PI }) ?? '';
}
