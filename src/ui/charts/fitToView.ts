import type { Point } from './topologyLayout';

export interface ViewTransform {
  sx: number;
  sy: number;
  tx: number;
  ty: number;
}

export interface Viewport {
  width: number;
  height: number;
  /** Space kept free on every side (room for node radius and labels). */
  padding: number;
  /** Small graphs are spread out at most this much. */
  maxScale: number;
  /** How much more one axis may be stretched than the other, to use a wide or tall panel. */
  maxStretch: number;
}

/**
 * Scales and centres layout coordinates into the viewport. Only coordinates are transformed,
 * so circles and labels keep their pixel size on any screen. The axes may be scaled a little
 * differently (up to maxStretch) so a roughly round graph fills a wide panel.
 */
export function fitToView(points: Iterable<Point>, view: Viewport): ViewTransform {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  if (minX === Infinity) return { sx: 1, sy: 1, tx: view.width / 2, ty: view.height / 2 };
  const innerW = Math.max(1, view.width - 2 * view.padding);
  const innerH = Math.max(1, view.height - 2 * view.padding);
  const spanX = maxX - minX;
  const spanY = maxY - minY;
  const fitX = Math.min(view.maxScale, spanX > 0 ? innerW / spanX : Infinity);
  const fitY = Math.min(view.maxScale, spanY > 0 ? innerH / spanY : Infinity);
  const base = Math.min(fitX, fitY);
  const sx = Math.min(fitX, base * view.maxStretch);
  const sy = Math.min(fitY, base * view.maxStretch);
  return {
    sx,
    sy,
    tx: view.width / 2 - ((minX + maxX) / 2) * sx,
    ty: view.height / 2 - ((minY + maxY) / 2) * sy,
  };
}

export function project(p: Point, t: ViewTransform): Point {
  return { x: p.x * t.sx + t.tx, y: p.y * t.sy + t.ty };
}
