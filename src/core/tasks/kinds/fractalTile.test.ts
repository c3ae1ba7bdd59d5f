import { describe, expect, it } from 'vitest';
import { builtinTaskKinds } from './index';
import {
  decodeTileIterations,
  encodeTileIterations,
  fractalPixelSize,
  fractalTileKind,
  renderFractalTile,
  validateFractalTile,
  type FractalTileResult,
} from './fractalTile';

const context = { agent: 'a', nowMs: () => 0 };
const tile = { x: 0, y: 0, size: 64, width: 64, height: 64, maxIter: 200 };

describe('fractal-tile', () => {
  it('marks the inside with maxIter and the far outside as escaping at once', () => {
    // A 7 x 5 image at 0.5 units a pixel: pixel (3, 2) is c = -0.75 + 0i, inside the set;
    // pixel (0, 0) is c = -2.25 + 1i, out after one step.
    const counts = renderFractalTile({ x: 0, y: 0, size: 7, width: 7, height: 5, maxIter: 500 });
    expect(fractalPixelSize(7, 5)).toBe(0.5);
    expect(counts[2 * 7 + 3]).toBe(500);
    expect(counts[0]).toBe(1);
    // Symmetric about the real axis: row 1 and row 3 agree.
    expect([...counts.slice(7, 14)]).toEqual([...counts.slice(21, 28)]);
  });

  it('keeps the aspect: a wide image shows more of the real axis, not a stretched set', () => {
    expect(fractalPixelSize(700, 250)).toBe(0.01);
    expect(fractalPixelSize(350, 250)).toBe(0.01);
    expect(fractalPixelSize(350, 500)).toBe(0.01);
  });

  it('tiles compose: a tile equals the same pixels of a bigger tile', () => {
    const whole = renderFractalTile({ ...tile, size: 64 });
    const part = renderFractalTile({ ...tile, x: 16, y: 32, size: 16 });
    for (let row = 0; row < 16; row++)
      for (let column = 0; column < 16; column++)
        expect(part[row * 16 + column]).toBe(whole[(32 + row) * 64 + 16 + column]);
  });

  it('encodes the counts compactly and byte for byte the same every run', () => {
    const result = fractalTileKind.run(tile, context) as FractalTileResult;
    expect(result).toMatchObject({ x: 0, y: 0, size: 64 });
    expect(result.iterations.length).toBe(Math.ceil((64 * 64 * 2) / 3) * 4);
    expect(decodeTileIterations(result.iterations)).toEqual(renderFractalTile(tile));
    expect((fractalTileKind.run(tile, context) as FractalTileResult).iterations).toBe(
      result.iterations,
    );
    expect(builtinTaskKinds().get('fractal-tile')).toBe(fractalTileKind);
  });

  it('writes little-endian bytes whatever the host', () => {
    expect(encodeTileIterations(Uint16Array.of(0x0102, 10_000))).toBe('AgEQJw==');
    expect([...decodeTileIterations('AgEQJw==')]).toEqual([0x0102, 10_000]);
    expect(() => decodeTileIterations('AQ==')).toThrow(/odd/);
  });

  it('refuses tiles out of the image or over the limits', () => {
    expect(validateFractalTile(tile)).toBeNull();
    expect(validateFractalTile({ ...tile, x: 63, y: 63 })).toBeNull();
    expect(validateFractalTile({ ...tile, x: 64 })).toMatch(/^x/);
    expect(validateFractalTile({ ...tile, size: 257 })).toMatch(/^size/);
    expect(validateFractalTile({ ...tile, size: 0 })).toMatch(/^size/);
    expect(validateFractalTile({ ...tile, width: 4097 })).toMatch(/^width/);
    expect(validateFractalTile({ ...tile, maxIter: 10_001 })).toMatch(/^maxIter/);
    expect(validateFractalTile({ ...tile, maxIter: 2.5 })).toMatch(/^maxIter/);
    expect(validateFractalTile('tile')).toMatch(/takes/);
  });
});
