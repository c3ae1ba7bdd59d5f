import { line, scaleLinear } from 'd3';
import type { AgentId } from '../../core/base/ids';
import type { LoadHistory, LoadPoint } from '../store/loadHistory';

export type LoadMetric = 'utilisation' | 'queued' | 'ratePerSecond';

/** The charts show the whole kept history: five minutes. */
export const LOAD_WINDOW_MS = 300_000;
const TICK_EVERY_MS = 60_000;
const MARGIN = { top: 6, right: 8, bottom: 18, left: 34 };

export interface LoadChartModel {
  /** The plot area inside the axes, in pixels. */
  plot: { left: number; top: number; right: number; bottom: number };
  /** One path per agent with at least one value in the window. */
  lines: { agent: AgentId; d: string }[];
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
}

export function metricValue(point: LoadPoint, metric: LoadMetric): number | null {
  return point[metric];
}

function yLabel(value: number, metric: LoadMetric): string {
  if (metric === 'utilisation') return `${Math.round(value * 100)} %`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * Scales, axis ticks and line paths of one metric for every agent, over the last
 * LOAD_WINDOW_MS up to the history's newest point. D3 computes; React draws the result.
 * Utilisation is on a fixed 0-100 % axis; counts and rates start at 0 and fit the largest value.
 */
export function loadChartModel(
  history: LoadHistory,
  metric: LoadMetric,
  size: { widthPx: number; heightPx: number },
): LoadChartModel {
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: Math.max(MARGIN.left + 1, size.widthPx - MARGIN.right),
    bottom: Math.max(MARGIN.top + 1, size.heightPx - MARGIN.bottom),
  };
  const startMs = history.nowMs - LOAD_WINDOW_MS;
  const visible = history.series.map((s) => ({
    agent: s.agent,
    points: s.points.filter((p) => p.atMs >= startMs && metricValue(p, metric) !== null),
  }));
  let top = 1;
  if (metric !== 'utilisation') {
    for (const s of visible)
      for (const p of s.points) top = Math.max(top, metricValue(p, metric) ?? 0);
  }
  const x = scaleLinear().domain([startMs, history.nowMs]).range([plot.left, plot.right]);
  const y = scaleLinear().domain([0, top]).range([plot.bottom, plot.top]);
  if (metric !== 'utilisation') y.nice(3);
  const path = line<LoadPoint>()
    .x((p) => x(p.atMs))
    .y((p) => y(metricValue(p, metric) ?? 0));
  const lines = visible
    .filter((s) => s.points.length > 0)
    .map((s) => ({ agent: s.agent, d: path(s.points) ?? '' }));
  const xTicks: LoadChartModel['xTicks'] = [];
  for (let backMs = 0; backMs <= LOAD_WINDOW_MS; backMs += TICK_EVERY_MS) {
    xTicks.push({
      x: x(history.nowMs - backMs),
      label: backMs === 0 ? 'now' : `−${backMs / TICK_EVERY_MS} m`,
    });
  }
  const yValues = metric === 'utilisation' ? [0, 0.5, 1] : y.ticks(3);
  const yTicks = yValues.map((value) => ({ y: y(value), label: yLabel(value, metric) }));
  return { plot, lines, xTicks, yTicks };
}
