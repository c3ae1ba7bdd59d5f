import type { AgentId } from '../../core/base/ids';
import type { Point } from '../charts/topologyLayout';
import type { GraphEdge } from '../store/selectors';
import { describeFault, formatRtt } from './format';

/** Advance of one character of the 11px monospace label font (0.6em), for the label pill. */
const LABEL_CHAR_PX = 6.6;

export interface TopologyEdgeProps {
  edge: GraphEdge;
  from: Point;
  to: Point;
  emphasis: 'normal' | 'highlighted' | 'dimmed';
  /** Picked for a delay/loss fault in the chaos panel. */
  selected?: boolean;
  /** Own links can be clicked to pick them for a fault. */
  onSelect?: (a: AgentId, b: AgentId) => void;
}

/** The pill text: "cut", or the RTT. */
export function edgeLabel(edge: GraphEdge): string {
  return edge.cut ? 'cut' : formatRtt(edge.rttMs);
}

/** The second pill on a link with delay or loss: "drop 20% · +150 ms", or null. */
export function edgeFaultLabel(edge: GraphEdge): string | null {
  if (edge.cut || edge.fault === null) return null;
  const parts = describeFault(edge.fault);
  return parts.length === 0 ? null : parts.join(' · ');
}

function Pill({ text, dy, className }: { text: string; dy: number; className: string }) {
  const width = text.length * LABEL_CHAR_PX + 8;
  return (
    <g className={className} transform={`translate(0,${dy})`}>
      <rect x={-width / 2} y={-8} width={width} height={16} rx={4} />
      <text dy="0.35em" textAnchor="middle">
        {text}
      </text>
    </g>
  );
}

/**
 * A link: solid for this agent's own links, lighter for links known from neighbours' adverts,
 * dashed red when cut, dotted with a second pill when it has delay or loss. Own links are
 * clickable (a wide invisible stroke takes the click).
 */
export function TopologyEdge({
  edge,
  from,
  to,
  emphasis,
  selected = false,
  onSelect,
}: TopologyEdgeProps) {
  const mid = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
  const label = edgeLabel(edge);
  const faultLabel = edgeFaultLabel(edge);
  // Cuts between other agents stay unlabelled: many cross the same gap between islands.
  const showLabel = !(edge.cut && edge.source === 'peer');
  const classes = [
    'edge',
    `edge--${edge.source}`,
    `edge--${emphasis}`,
    edge.cut ? 'edge--cut' : '',
    faultLabel !== null ? 'edge--fault' : '',
    selected ? 'is-selected' : '',
    onSelect !== undefined ? 'is-selectable' : '',
  ]
    .filter((c) => c !== '')
    .join(' ');
  return (
    <g
      className={classes}
      data-testid="topology-edge"
      data-a={edge.a}
      data-b={edge.b}
      data-source={edge.source}
      data-cut={edge.cut ? 'true' : undefined}
      data-synthetic={edge.synthetic ? 'true' : undefined}
      data-selected={selected ? 'true' : undefined}
      onClick={onSelect === undefined ? undefined : () => onSelect(edge.a, edge.b)}
    >
      {onSelect !== undefined && (
        <title>
          {selected
            ? 'Selected for a link fault (click to clear)'
            : 'Click to pick this link for delay / loss'}
        </title>
      )}
      {selected && <line className="edge-halo" x1={from.x} y1={from.y} x2={to.x} y2={to.y} />}
      <line className="edge-line" x1={from.x} y1={from.y} x2={to.x} y2={to.y} />
      {onSelect !== undefined && (
        <line className="edge-hit" x1={from.x} y1={from.y} x2={to.x} y2={to.y} />
      )}
      {showLabel && (
        <g className="edge-label" transform={`translate(${mid.x.toFixed(1)},${mid.y.toFixed(1)})`}>
          <Pill text={label} dy={faultLabel === null ? 0 : -9} className="edge-pill" />
          {faultLabel !== null && (
            <Pill text={faultLabel} dy={9} className="edge-pill edge-pill--fault" />
          )}
        </g>
      )}
    </g>
  );
}
