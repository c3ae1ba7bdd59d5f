import { interpolateRgbBasis, rgb } from 'd3';
import type { RenderedTile } from '../store/fractalRender';

/**
 * Escape counts far out to near the set: greys from dark slate to white, then a pale amber.
 * No strong hue of their own, so each tile's owner tint and outline are what stand out.
 */
const ESCAPE_STOPS = ['#1e293b', '#475569', '#cbd5e1', '#f8fafc', '#fde68a'];
/** Points inside the set (count = maxIter). */
export const INSIDE_RGB: readonly [number, number, number] = [0, 0, 0];

/**
 * RGBA per escape count 0..maxIter (4 bytes each), built once per render. The log spreads the
 * many low counts far from the set over the ramp instead of leaving them one colour.
 */
export function escapeColourTable(maxIter: number): Uint8ClampedArray {
  const ramp = interpolateRgbBasis(ESCAPE_STOPS);
  const table = new Uint8ClampedArray(4 * (maxIter + 1));
  const logMax = Math.log(maxIter + 1);
  for (let n = 0; n <= maxIter; n++) {
    const c = n >= maxIter ? null : rgb(ramp(Math.log(n + 1) / logMax));
    table[4 * n] = c?.r ?? INSIDE_RGB[0];
    table[4 * n + 1] = c?.g ?? INSIDE_RGB[1];
    table[4 * n + 2] = c?.b ?? INSIDE_RGB[2];
    table[4 * n + 3] = 255;
  }
  return table;
}

/** A tile's pixels as the canvas puts them: where, how big after cropping, RGBA row-major. */
export interface TilePixels {
  x: number;
  y: number;
  widthPx: number;
  heightPx: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
}

/**
 * Colours one tile's escape counts, cropped to the image: a tile past the right or bottom edge
 * is computed full size and only its part inside is drawn. Null when nothing of it is inside.
 * Counts above the table's maxIter are taken as inside.
 */
export function paintTile(
  tile: Pick<RenderedTile, 'x' | 'y' | 'size' | 'counts'>,
  image: { widthPx: number; heightPx: number },
  table: Uint8ClampedArray,
): TilePixels | null {
  const widthPx = Math.min(tile.size, image.widthPx - tile.x);
  const heightPx = Math.min(tile.size, image.heightPx - tile.y);
  if (widthPx <= 0 || heightPx <= 0) return null;
  const top = table.length / 4 - 1;
  const rgba = new Uint8ClampedArray(widthPx * heightPx * 4);
  for (let row = 0; row < heightPx; row++) {
    for (let column = 0; column < widthPx; column++) {
      const n = Math.min(tile.counts[row * tile.size + column] ?? top, top);
      const to = 4 * (row * widthPx + column);
      rgba[to] = table[4 * n] as number;
      rgba[to + 1] = table[4 * n + 1] as number;
      rgba[to + 2] = table[4 * n + 2] as number;
      rgba[to + 3] = table[4 * n + 3] as number;
    }
  }
  return { x: tile.x, y: tile.y, widthPx, heightPx, rgba };
}
