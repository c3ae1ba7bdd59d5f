import { describe, expect, it } from 'vitest';
import { fitToView, project } from './fitToView';

const view = { width: 400, height: 200, padding: 20, maxScale: 2, maxStretch: 1 };

describe('fitToView', () => {
  it('fits the bounding box inside the padded viewport, centred', () => {
    const points = [
      { x: -100, y: -10 },
      { x: 300, y: 30 },
    ];
    const t = fitToView(points, view);
    const [p, q] = points.map((pt) => project(pt, t));
    expect(t.sx).toBeCloseTo(360 / 400);
    expect(t.sy).toBeCloseTo(360 / 400);
    expect(p?.x).toBeCloseTo(20);
    expect(q?.x).toBeCloseTo(380);
    expect(((p?.y ?? 0) + (q?.y ?? 0)) / 2).toBeCloseTo(100);
  });

  it('does not blow small graphs up beyond maxScale, and centres a single node', () => {
    const pair = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
    ];
    expect(fitToView(pair, view).sx).toBe(2);
    const single = project({ x: 5, y: 5 }, fitToView([{ x: 5, y: 5 }], view));
    expect(single).toEqual({ x: 200, y: 100 });
  });

  it('stretches the wider axis at most maxStretch times the other', () => {
    const square = [
      { x: 0, y: 0 },
      { x: 100, y: 100 },
    ];
    const wide = { width: 1000, height: 240, padding: 20, maxScale: 5, maxStretch: 1.5 };
    const t = fitToView(square, wide);
    expect(t.sy).toBeCloseTo(2);
    expect(t.sx).toBeCloseTo(3);
    const [p, q] = square.map((pt) => project(pt, t));
    expect(((p?.x ?? 0) + (q?.x ?? 0)) / 2).toBeCloseTo(500);
  });
});
