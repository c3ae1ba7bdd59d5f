import type { Point } from './topologyLayout';

export interface ViewTransform {
  scale: number;
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
}

/**
 * Scales and centres layout coordinates into the viewport. Only coordinates are transformed,
 * so circles and labels keep their pixel size on any screen.
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
  if (minX === Infinity) return { scale: 1, tx: view.width / 2, ty: view.height / 2 };
  const innerW = Math.max(1, view.width - 2 * view.padding);
  const innerH = Math.max(1, view.height - 2 * view.padding);
  const spanX = maxX - minX;
  const spanY = maxY - minY;
  const scale = Math.min(
    view.maxScale,
    spanX > 0 ? innerW / spanX : Infinity,
    spanY > 0 ? innerH / spanY : Infinity,
  );
  return {
    scale,
    tx: view.width / 2 - ((minX + maxX) / 2) * scale,
    ty: view.height / 2 - ((minY + maxY) / 2) * scale,
  };
}

export function project(p: Point, t: ViewTransform): Point {
  return { x: p.x * t.scale + t.tx, y: p.y * t.scale + t.ty };
}
