import type { Point } from '../charts/topologyLayout';
import type { GraphEdge } from '../store/selectors';
import { formatRtt } from './format';

/** Advance of one character of the 11px monospace label font (0.6em), for the label pill. */
const LABEL_CHAR_PX = 6.6;

export interface TopologyEdgeProps {
  edge: GraphEdge;
  from: Point;
  to: Point;
  emphasis: 'normal' | 'highlighted' | 'dimmed';
}

/** A link: solid for this agent's own links, lighter for links known from neighbours' adverts. */
export function TopologyEdge({ edge, from, to, emphasis }: TopologyEdgeProps) {
  const mid = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
  const label = formatRtt(edge.rttMs);
  const labelWidth = label.length * LABEL_CHAR_PX + 8;
  return (
    <g
      className={`edge edge--${edge.source} edge--${emphasis}`}
      data-testid="topology-edge"
      data-a={edge.a}
      data-b={edge.b}
      data-source={edge.source}
    >
      <line x1={from.x} y1={from.y} x2={to.x} y2={to.y} />
      <g className="edge-label" transform={`translate(${mid.x.toFixed(1)},${mid.y.toFixed(1)})`}>
        <rect x={-labelWidth / 2} y={-8} width={labelWidth} height={16} rx={4} />
        <text dy="0.35em" textAnchor="middle">
          {label}
        </text>
      </g>
    </g>
  );
}
