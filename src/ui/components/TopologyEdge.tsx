import type { Point } from '../charts/topologyLayout';
import type { GraphEdge } from '../store/selectors';
import { formatRtt } from './format';

export interface TopologyEdgeProps {
  edge: GraphEdge;
  from: Point;
  to: Point;
  emphasis: 'normal' | 'highlighted' | 'dimmed';
}

/** A link: solid for this agent's own links, lighter for links known from neighbours' adverts. */
export function TopologyEdge({ edge, from, to, emphasis }: TopologyEdgeProps) {
  const mid = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
  return (
    <g
      className={`edge edge--${edge.source} edge--${emphasis}`}
      data-testid="topology-edge"
      data-a={edge.a}
      data-b={edge.b}
      data-source={edge.source}
    >
      <line x1={from.x} y1={from.y} x2={to.x} y2={to.y} />
      <text className="edge-label" x={mid.x} y={mid.y} dy="0.35em" textAnchor="middle">
        {formatRtt(edge.rttMs)}
      </text>
    </g>
  );
}
