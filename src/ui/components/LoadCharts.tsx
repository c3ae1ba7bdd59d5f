import { memo, useMemo, useRef } from 'react';
import { shortId } from '../../core/base/ids';
import { loadChartModel, type LoadMetric } from '../charts/loadCharts';
import type { LoadHistory } from '../store/loadHistory';
import { useMeshStore } from '../store/useMeshStore';
import { useAgentColours, type AgentColourOf } from './useAgentColours';
import { useElementSize } from './useElementSize';

const CHART_HEIGHT_PX = 110;
const FALLBACK_SIZE = { width: 300, height: CHART_HEIGHT_PX };

interface MetricSpec {
  metric: LoadMetric;
  title: string;
  /** What the line means, and for neighbours how it is measured. */
  hint: string;
}

const METRICS: readonly MetricSpec[] = [
  {
    metric: 'utilisation',
    title: 'Busy',
    hint: 'Busy share: workers busy or the page’s own CPU, whichever is higher. This agent: sampled each second; the others: as they last told it (their gossiped CPU until they tell a task load).',
  },
  { metric: 'queued', title: 'Queue', hint: 'Tasks waiting for a worker.' },
  {
    metric: 'ratePerSecond',
    title: 'Rate /s',
    hint: 'Tasks finished per second. This agent: counted; the others: estimated as running ÷ mean task time.',
  },
];

function LoadChart({
  spec,
  history,
  colourOf,
}: {
  spec: MetricSpec;
  history: LoadHistory;
  colourOf: AgentColourOf;
}) {
  const frameRef = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(frameRef, FALLBACK_SIZE);
  const model = useMemo(
    () => loadChartModel(history, spec.metric, { widthPx: width, heightPx: CHART_HEIGHT_PX }),
    [history, spec.metric, width],
  );
  const { plot } = model;
  return (
    <figure className="load-chart" data-testid="load-chart" data-metric={spec.metric}>
      <figcaption title={spec.hint}>{spec.title}</figcaption>
      <div className="load-chart-frame" ref={frameRef}>
        <svg
          width={width}
          height={CHART_HEIGHT_PX}
          viewBox={`0 0 ${width} ${CHART_HEIGHT_PX}`}
          role="img"
          aria-label={`${spec.title} per agent over the last five minutes`}
        >
          <g className="load-axis">
            {model.yTicks.map((tick) => (
              <g key={tick.label} transform={`translate(0,${tick.y.toFixed(1)})`}>
                <line x1={plot.left} x2={plot.right} className="load-grid" />
                <text x={plot.left - 4} dy="0.32em" textAnchor="end">
                  {tick.label}
                </text>
              </g>
            ))}
            {model.xTicks.map((tick) => (
              <text
                key={tick.label}
                x={tick.x}
                y={plot.bottom + 13}
                textAnchor={tick.label === 'now' ? 'end' : 'middle'}
              >
                {tick.label}
              </text>
            ))}
          </g>
          <g className="load-lines">
            {model.lines.map((line) => (
              <path
                key={line.agent}
                d={line.d}
                data-testid="load-line"
                data-agent={line.agent}
                style={{ stroke: colourOf(line.agent) }}
              />
            ))}
          </g>
        </svg>
      </div>
    </figure>
  );
}

/** Newest value per agent and metric, for the legend. */
function latest(history: LoadHistory) {
  return history.series.map((s) => ({ agent: s.agent, self: s.self, point: s.points.at(-1) }));
}

/**
 * Streaming load of every agent over the last five minutes: one small chart per metric, one
 * line per agent in its colour. The history changes about once a second (loadHistory.ts), so
 * that is how often these re-render.
 */
export const LoadCharts = memo(function LoadCharts() {
  const history = useMeshStore((s) => s.loadHistory);
  const colourOf = useAgentColours();
  const legend = useMemo(() => latest(history), [history]);
  return (
    <section
      className="consensus-section tasks-load"
      data-testid="load-charts"
      aria-labelledby="load-charts-title"
    >
      <div className="consensus-section-head">
        <h3 id="load-charts-title">
          Load <span className="muted">per agent, last 5 minutes</span>
        </h3>
      </div>
      {history.series.length === 0 ? (
        <p className="placeholder">No load sample yet.</p>
      ) : (
        <>
          <div className="load-charts">
            {METRICS.map((spec) => (
              <LoadChart key={spec.metric} spec={spec} history={history} colourOf={colourOf} />
            ))}
          </div>
          <ul className="load-legend" aria-label="Agents">
            {legend.map(({ agent, self, point }) => (
              <li key={agent} data-testid="load-legend-row" data-agent={agent}>
                <span className="agent-swatch" style={{ background: colourOf(agent) }} />
                <span className="mono">{self ? 'you' : shortId(agent)}</span>
                {point !== undefined && (
                  <span className="muted mono">
                    {`${point.utilisation === null ? '—' : `${Math.round(point.utilisation * 100)} %`} · q ${point.queued} · ${point.ratePerSecond === null ? '—' : point.ratePerSecond.toFixed(1)}/s`}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
});
