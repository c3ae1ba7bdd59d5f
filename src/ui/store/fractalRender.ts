import type { AgentId } from '../../core/base/ids';
import type { FractalTileInput } from '../../core/tasks/kinds';

/** The demo image: 8 x 6 tiles of 64 px, 48 tasks of a few tens of ms each. */
export interface FractalSpec {
  widthPx: number;
  heightPx: number;
  tileSizePx: number;
  maxIter: number;
}

export const FRACTAL_DEMO_SPEC: FractalSpec = {
  widthPx: 512,
  heightPx: 384,
  tileSizePx: 64,
  maxIter: 300,
};

/** One tile as the canvas draws it: where it sits, its escape counts, who computed it. */
export interface RenderedTile {
  task: number;
  x: number;
  y: number;
  size: number;
  /** size x size escape counts, row-major (maxIter: inside the set). */
  counts: Uint16Array;
  /** The agent whose result was accepted; null when only the job's final results had it. */
  owner: AgentId | null;
}

/** One `fractal-tile` input per tile, row by row; edge tiles start inside and run past it. */
export function fractalTileInputs(spec: FractalSpec): FractalTileInput[] {
  const inputs: FractalTileInput[] = [];
  for (let y = 0; y < spec.heightPx; y += spec.tileSizePx) {
    for (let x = 0; x < spec.widthPx; x += spec.tileSizePx) {
      inputs.push({
        x,
        y,
        size: spec.tileSizePx,
        width: spec.widthPx,
        height: spec.heightPx,
        maxIter: spec.maxIter,
      });
    }
  }
  return inputs;
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

/**
 * A `fractal-tile` result as a tile to draw, or null when it is not one (a shape the kind never
 * returns, iterations that do not decode or do not fill the tile). The decoder is injected: the
 * UI may not import core code at run time, so main.tsx hands over decodeTileIterations.
 */
export function decodeTile(
  result: unknown,
  decode: (text: string) => Uint16Array,
): Omit<RenderedTile, 'task' | 'owner'> | null {
  if (typeof result !== 'object' || result === null) return null;
  const { x, y, size, iterations } = result as Record<string, unknown>;
  if (!isCount(x) || !isCount(y) || !isCount(size) || size === 0) return null;
  if (typeof iterations !== 'string') return null;
  let counts: Uint16Array;
  try {
    counts = decode(iterations);
  } catch {
    return null;
  }
  if (counts.length !== size * size) return null;
  return { x, y, size, counts };
}
