import { describe, expect, it } from 'vitest';
import { islandShapes, outlinePath } from './islandHull';

describe('islandShapes', () => {
  it('outlines three or more nodes by their hull, leaving interior nodes out', () => {
    const square = [
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 100 },
      { x: 0, y: 100 },
      { x: 50, y: 50 },
    ];
    const [shape] = islandShapes([{ index: 1, points: square }], 30);
    expect(shape?.index).toBe(1);
    expect(shape?.outline).toHaveLength(4);
    expect(shape?.outline).not.toContainEqual({ x: 50, y: 50 });
    // Caption above the topmost node, clear of the padding, centred on the island.
    expect(shape?.labelAt).toEqual({ x: 50, y: 0 - 30 - 6 });
  });

  it('keeps one or two nodes as they are and drops empty islands', () => {
    const shapes = islandShapes(
      [
        { index: 0, points: [{ x: 5, y: 5 }] },
        { index: 1, points: [] },
        {
          index: 2,
          points: [
            { x: 0, y: 10 },
            { x: 40, y: 20 },
          ],
        },
      ],
      10,
    );
    expect(shapes.map((s) => s.index)).toEqual([0, 2]);
    expect(shapes[0]?.outline).toEqual([{ x: 5, y: 5 }]);
    expect(shapes[1]?.outline).toHaveLength(2);
  });

  it('closes the path only for a polygon', () => {
    expect(outlinePath([{ x: 1, y: 2 }])).toBe('M1.0,2.0');
    expect(
      outlinePath([
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 0, y: 1 },
      ]),
    ).toBe('M0.0,0.0L1.0,0.0L0.0,1.0Z');
  });
});
