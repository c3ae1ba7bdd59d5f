import { decodeBase64, encodeBase64 } from './base64';
import { asRecord, integerProblem, type TaskKind } from './taskKind';

/** A tile's side in pixels at most (its result, 2 bytes a pixel in base64, stays in bounds). */
export const FRACTAL_MAX_TILE_SIZE = 256;
/** The full image's width and height in pixels at most. */
export const FRACTAL_MAX_IMAGE_SIDE = 4096;
export const FRACTAL_MAX_ITER = 10_000;

/** The region of the complex plane the image shows, before fitting it to the image's aspect. */
export const FRACTAL_REGION = { reMin: -2.5, reMax: 1, imMin: -1.25, imMax: 1.25 } as const;

export interface FractalTileInput {
  /** The tile's top-left pixel in the full image. */
  x: number;
  y: number;
  /** The tile's side in pixels (tiles are square). */
  size: number;
  /** The full image's size in pixels. */
  width: number;
  height: number;
  maxIter: number;
}

export interface FractalTileResult {
  x: number;
  y: number;
  size: number;
  /** size x size escape counts, row-major: base64 of little-endian uint16 (see decodeTileIterations). */
  iterations: string;
}

export function validateFractalTile(input: unknown): string | null {
  const record = asRecord(input);
  if (record === null) return 'fractal-tile takes { x, y, size, width, height, maxIter }';
  const problem =
    integerProblem('width', record.width, 1, FRACTAL_MAX_IMAGE_SIDE) ??
    integerProblem('height', record.height, 1, FRACTAL_MAX_IMAGE_SIDE) ??
    integerProblem('size', record.size, 1, FRACTAL_MAX_TILE_SIZE) ??
    integerProblem('maxIter', record.maxIter, 1, FRACTAL_MAX_ITER);
  if (problem !== null) return problem;
  const { width, height } = record as unknown as FractalTileInput;
  return (
    integerProblem('x', record.x, 0, width - 1) ?? integerProblem('y', record.y, 0, height - 1)
  );
}

/**
 * How pixels map to the plane. The region re ∈ [-2.5, 1], im ∈ [-1.25, 1.25] is fitted into
 * the image keeping its aspect: one pixel is `pixelSize` = max(3.5 / width, 2.5 / height) units
 * on both axes and the image is centred on the region's centre (-0.75, 0), so the region is
 * wholly visible and the spare axis shows more of the plane. Pixel (px, py), y going down, is
 * sampled at its centre:
 *   re = -0.75 + (px + 0.5 - width / 2) * pixelSize
 *   im =         (height / 2 - py - 0.5) * pixelSize
 */
export function fractalPixelSize(width: number, height: number): number {
  const { reMin, reMax, imMin, imMax } = FRACTAL_REGION;
  return Math.max((reMax - reMin) / width, (imMax - imMin) / height);
}

/**
 * The escape counts of one tile: for each pixel's c, how many steps of z ← z² + c (from z = 0)
 * keep |z| ≤ 2, up to maxIter (maxIter: taken as inside the set). Pixels past the image's right
 * or bottom edge follow the same mapping (the dashboard crops them). Plain double arithmetic
 * in a fixed order, so every agent computes the same counts bit for bit.
 */
export function renderFractalTile(input: FractalTileInput): Uint16Array<ArrayBuffer> {
  const { x, y, size, width, height, maxIter } = input;
  const pixelSize = fractalPixelSize(width, height);
  const reCentre = (FRACTAL_REGION.reMin + FRACTAL_REGION.reMax) / 2;
  const imCentre = (FRACTAL_REGION.imMin + FRACTAL_REGION.imMax) / 2;
  const counts = new Uint16Array(size * size);
  for (let row = 0; row < size; row++) {
    const ci = imCentre + (height / 2 - (y + row) - 0.5) * pixelSize;
    for (let column = 0; column < size; column++) {
      const cr = reCentre + (x + column + 0.5 - width / 2) * pixelSize;
      let zr = 0;
      let zi = 0;
      let n = 0;
      while (n < maxIter && zr * zr + zi * zi <= 4) {
        const nextZr = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = nextZr;
        n++;
      }
      counts[row * size + column] = n;
    }
  }
  return counts;
}

/** Escape counts as base64 of their little-endian bytes (byte order fixed, not the host's). */
export function encodeTileIterations(counts: Uint16Array): string {
  const bytes = new Uint8Array(counts.length * 2);
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    bytes[2 * i] = count & 0xff;
    bytes[2 * i + 1] = count >> 8;
  }
  return encodeBase64(bytes);
}

/** The inverse of encodeTileIterations; throws on text that is not one. */
export function decodeTileIterations(text: string): Uint16Array<ArrayBuffer> {
  const bytes = decodeBase64(text);
  if (bytes.length % 2 !== 0) throw new Error('tile iterations have an odd number of bytes');
  const counts = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < counts.length; i++)
    counts[i] = (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8);
  return counts;
}

export const fractalTileKind: TaskKind = {
  validate: validateFractalTile,
  run: (input): FractalTileResult => {
    const tile = input as FractalTileInput;
    const counts = renderFractalTile(tile);
    return { x: tile.x, y: tile.y, size: tile.size, iterations: encodeTileIterations(counts) };
  },
};
