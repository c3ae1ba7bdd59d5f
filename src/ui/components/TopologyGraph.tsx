import { useMemo, useRef, useState } from 'react';
import { fitToView, project } from '../charts/fitToView';
import { createTopologyLayout, type Point } from '../charts/topologyLayout';
import { selectGraphEdges, selectGraphNodes, type GraphEdge } from '../store/selectors';
import { useMeshStore } from '../store/useMeshStore';
import { TopologyEdge, type TopologyEdgeProps } from './TopologyEdge';
import { TopologyNode } from './TopologyNode';
import { useElementSize } from './useElementSize';

const FALLBACK_SIZE = { width: 640, height: 420 };
const ORIGIN: Point = { x: 0, y: 0 };

function emphasisOf(edge: GraphEdge, selectedId: string | null): TopologyEdgeProps['emphasis'] {
  if (selectedId === null) return 'normal';
  return edge.a === selectedId || edge.b === selectedId ? 'highlighted' : 'dimmed';
}

/** D3 computes positions (charts/topologyLayout); React draws them. */
export function TopologyGraph() {
  const snapshot = useMeshStore((s) => s.snapshot);
  const selectedId = useMeshStore((s) => s.selectedId);
  const toggleSelected = useMeshStore((s) => s.toggleSelected);
  const nodes = useMemo(() => (snapshot === null ? [] : selectGraphNodes(snapshot)), [snapshot]);
  const edges = useMemo(() => (snapshot === null ? [] : selectGraphEdges(snapshot)), [snapshot]);
  const [layout] = useState(() => createTopologyLayout());
  const positions = useMemo(
    () =>
      layout.update(
        nodes.map((n) => ({ id: n.id, anchored: n.isSelf })),
        edges,
      ),
    [layout, nodes, edges],
  );

  const frameRef = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(frameRef, FALLBACK_SIZE);
  const view = useMemo(
    () =>
      fitToView(positions.values(), { width, height, padding: 48, maxScale: 4, maxStretch: 1.6 }),
    [positions, width, height],
  );
  const at = (id: string) => project(positions.get(id) ?? ORIGIN, view);

  let message: string | null = null;
  if (snapshot === null) message = 'starting…';
  else if (nodes.length <= 1) message = 'No peers yet. Open this room in another tab to join.';

  return (
    <div className="topology-frame" ref={frameRef}>
      <svg
        className="topology"
        data-testid="topology"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-label="Mesh topology"
      >
        <g className="edges">
          {edges.map((edge) => (
            <TopologyEdge
              key={edge.key}
              edge={edge}
              from={at(edge.a)}
              to={at(edge.b)}
              emphasis={emphasisOf(edge, selectedId)}
            />
          ))}
        </g>
        <g className="nodes">
          {nodes.map((node) => (
            <TopologyNode
              key={node.id}
              node={node}
              at={at(node.id)}
              selected={node.id === selectedId}
              onToggle={toggleSelected}
            />
          ))}
        </g>
      </svg>
      {message !== null && <p className="topology-message">{message}</p>}
    </div>
  );
}
