import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { fixtureId } from '../dev/fixtures';
import type { LoadHistory, LoadPoint } from '../store/loadHistory';
import { LOAD_WINDOW_MS, loadChartModel } from './loadCharts';
import { loadRingPath } from './loadRing';

const [self, a] = [0, 1].map(fixtureId) as [AgentId, AgentId];
const NOW_MS = 1_000_000;
const SIZE = { widthPx: 342, heightPx: 124 };

function point(backMs: number, change: Partial<LoadPoint> = {}): LoadPoint {
  return {
    atMs: NOW_MS - backMs,
    utilisation: 0.5,
    queued: 4,
    running: 1,
    ratePerSecond: 2,
    ...change,
  };
}

function history(selfPoints: LoadPoint[], peerPoints: LoadPoint[]): LoadHistory {
  return {
    nowMs: NOW_MS,
    peersAtMs: NOW_MS,
    series: [
      { agent: self, self: true, points: selfPoints },
      { agent: a, self: false, points: peerPoints },
    ],
  };
}

/** The x, y pairs of a path made of M/L commands. */
function vertices(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('load chart model', () => {
  it('maps the last five minutes onto the plot, newest at the right edge', () => {
    const model = loadChartModel(history([point(LOAD_WINDOW_MS), point(0)], []), 'queued', SIZE);
    expect(model.lines.map((l) => l.agent)).toEqual([self]);
    const [first, last] = vertices(model.lines[0]?.d ?? '');
    expect(first?.[0]).toBeCloseTo(model.plot.left);
    expect(last?.[0]).toBeCloseTo(model.plot.right);
    expect(model.plot.right).toBe(SIZE.widthPx - 8);
    expect(model.xTicks.map((t) => t.label)).toEqual([
      'now',
      '−1 m',
      '−2 m',
      '−3 m',
      '−4 m',
      '−5 m',
    ]);
  });

  it('leaves out points older than the window and unknown values', () => {
    const model = loadChartModel(
      history(
        [point(LOAD_WINDOW_MS + 1000), point(1000), point(0)],
        [point(0, { utilisation: null })],
      ),
      'utilisation',
      SIZE,
    );
    expect(vertices(model.lines[0]?.d ?? '')).toHaveLength(2);
    // The neighbour has no known utilisation in the window: no line for it.
    expect(model.lines.map((l) => l.agent)).toEqual([self]);
  });

  it('keeps utilisation on 0-100 %, and fits counts to the largest value', () => {
    const busy = loadChartModel(history([point(0, { utilisation: 1 })], []), 'utilisation', SIZE);
    expect(busy.yTicks.map((t) => t.label)).toEqual(['0 %', '50 %', '100 %']);
    const [top] = vertices(busy.lines[0]?.d ?? '');
    expect(top?.[1]).toBeCloseTo(busy.plot.top);

    const queue = loadChartModel(
      history([point(0, { queued: 3 })], [point(0, { queued: 37 })]),
      'queued',
      SIZE,
    );
    const labels = queue.yTicks.map((t) => Number(t.label));
    expect(Math.max(...labels)).toBeGreaterThanOrEqual(37);
    const [peerTop] = vertices(queue.lines[1]?.d ?? '');
    expect(peerTop?.[1]).toBeGreaterThanOrEqual(queue.plot.top);
    expect(peerTop?.[1]).toBeLessThan(queue.plot.top + (queue.plot.bottom - queue.plot.top) * 0.2);
  });
});

describe('load ring', () => {
  it('draws nothing for an idle agent and a band round as far as it is busy', () => {
    expect(loadRingPath(15, 0)).toBe('');
    expect(loadRingPath(15, Number.NaN)).toBe('');
    const half = loadRingPath(15, 0.5);
    const full = loadRingPath(15, 1);
    expect(half).not.toBe('');
    expect(half).not.toBe(full);
    expect(loadRingPath(15, 3)).toBe(full);
  });
});
