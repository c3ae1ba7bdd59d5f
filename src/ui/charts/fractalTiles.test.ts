import { describe, expect, it } from 'vitest';
import {
  decodeTileIterations,
  encodeTileIterations,
  renderFractalTile,
} from '../../core/tasks/kinds/fractalTile';
import { decodeTile } from '../store/fractalRender';
import { escapeColourTable, INSIDE_RGB, paintTile } from './fractalTiles';

const MAX_ITER = 50;

/** A tile's result exactly as the fractal-tile kind returns it. */
function kindResult(x: number, y: number, size: number, width: number, height: number) {
  const counts = renderFractalTile({ x, y, size, width, height, maxIter: MAX_ITER });
  return { x, y, size, iterations: encodeTileIterations(counts) };
}

function pixel(rgba: Uint8ClampedArray, widthPx: number, column: number, row: number): number[] {
  const at = 4 * (row * widthPx + column);
  return [...rgba.subarray(at, at + 4)];
}

describe('tile drawing', () => {
  it("decodes a kind's result back to its escape counts", () => {
    const result = kindResult(32, 16, 16, 64, 48);
    const tile = decodeTile(result, decodeTileIterations);
    expect(tile).not.toBeNull();
    expect(tile?.counts).toEqual(
      renderFractalTile({ x: 32, y: 16, size: 16, width: 64, height: 48, maxIter: MAX_ITER }),
    );
    expect(tile).toMatchObject({ x: 32, y: 16, size: 16 });
  });

  it('refuses results that are not a whole tile', () => {
    const good = kindResult(0, 0, 4, 8, 8);
    const bad = [
      null,
      'tile',
      { ...good, iterations: 42 },
      { ...good, size: 5 },
      { ...good, size: 0 },
      { ...good, x: -4 },
      { ...good, y: 1.5 },
      { ...good, iterations: '###' },
    ];
    for (const result of bad) expect(decodeTile(result, decodeTileIterations)).toBeNull();
  });

  it('crops a tile past the right and bottom edges to the image', () => {
    // A 16 px tile at (56, 40) of a 64 x 48 image: 8 x 8 of it is inside.
    const tile = decodeTile(kindResult(56, 40, 16, 64, 48), decodeTileIterations);
    if (tile === null) throw new Error('did not decode');
    const table = escapeColourTable(MAX_ITER);
    const pixels = paintTile(tile, { widthPx: 64, heightPx: 48 }, table);
    expect(pixels).toMatchObject({ x: 56, y: 40, widthPx: 8, heightPx: 8 });
    expect(pixels?.rgba).toHaveLength(8 * 8 * 4);
    // Row 3, column 5 of the crop is row 3, column 5 of the tile (not of an 8-wide tile).
    const n = tile.counts[3 * 16 + 5] as number;
    expect(pixel(pixels!.rgba, 8, 5, 3)).toEqual([...table.subarray(4 * n, 4 * n + 4)]);
    expect(paintTile({ ...tile, x: 64 }, { widthPx: 64, heightPx: 48 }, table)).toBeNull();
  });

  it('paints inside points black and escape counts from the ramp, opaque', () => {
    const table = escapeColourTable(MAX_ITER);
    expect(table).toHaveLength(4 * (MAX_ITER + 1));
    const counts = new Uint16Array([0, 1, MAX_ITER - 1, MAX_ITER]);
    const pixels = paintTile({ x: 0, y: 0, size: 2, counts }, { widthPx: 2, heightPx: 2 }, table);
    if (pixels === null) throw new Error('nothing painted');
    expect(pixel(pixels.rgba, 2, 1, 1)).toEqual([...INSIDE_RGB, 255]);
    // Far out is the ramp's first stop; one step further already differs; none is inside.
    expect(pixel(pixels.rgba, 2, 0, 0)).toEqual([0x1e, 0x29, 0x3b, 255]);
    expect(pixel(pixels.rgba, 2, 1, 0)).not.toEqual(pixel(pixels.rgba, 2, 0, 0));
    expect(pixel(pixels.rgba, 2, 0, 1)).not.toEqual([...INSIDE_RGB, 255]);
    // A count above the table's maxIter is taken as inside.
    const over = paintTile(
      { x: 0, y: 0, size: 1, counts: new Uint16Array([MAX_ITER + 9]) },
      { widthPx: 1, heightPx: 1 },
      table,
    );
    expect(over === null ? null : pixel(over.rgba, 1, 0, 0)).toEqual([...INSIDE_RGB, 255]);
  });
});
