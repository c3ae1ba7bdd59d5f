import { useCallback, useMemo, useRef, useState } from 'react';
import type { AgentId } from '../../core/base/ids';
import { fitToView, project } from '../charts/fitToView';
import { createTopologyLayout, type Point } from '../charts/topologyLayout';
import { effectiveGroup } from '../store/chaosSlice';
import { selectConsensusMarks, type ConsensusMark } from '../store/consensusSelectors';
import { selectCoordinator } from '../store/ledgerSelectors';
import { selectNodeLoads, type NodeLoad } from '../store/taskSelectors';
import {
  membershipKnown as hasMembership,
  pairKey,
  selectGraphEdges,
  selectGraphNodes,
  selectIslands,
  type GraphEdge,
} from '../store/selectors';
import { useMeshStore } from '../store/useMeshStore';
import { TopologyEdge, type TopologyEdgeProps } from './TopologyEdge';
import { TopologyIslands } from './TopologyIslands';
import { TopologyNode } from './TopologyNode';
import { TopologyPulses } from './TopologyPulses';
import { useAgentColours } from './useAgentColours';
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
  const activateNode = useMeshStore((s) => s.activateNode);
  const partitionMode = useMeshStore((s) => s.partitionMode);
  const groupOf = useMeshStore((s) => s.groupOf);
  const groupCount = useMeshStore((s) => s.groupCount);
  const selectedLink = useMeshStore((s) => s.selectedLink);
  const toggleLink = useMeshStore((s) => s.toggleLink);
  const nodes = useMemo(() => (snapshot === null ? [] : selectGraphNodes(snapshot)), [snapshot]);
  const edges = useMemo(() => (snapshot === null ? [] : selectGraphEdges(snapshot)), [snapshot]);
  const colourByHealth = snapshot !== null && hasMembership(snapshot);
  const marks = useMemo(
    () => (snapshot === null ? new Map<AgentId, ConsensusMark>() : selectConsensusMarks(snapshot)),
    [snapshot],
  );
  const coordinator = useMemo(
    () => (snapshot === null ? null : selectCoordinator(snapshot)),
    [snapshot],
  );
  const loads = useMemo(
    () => (snapshot === null ? new Map<AgentId, NodeLoad>() : selectNodeLoads(snapshot)),
    [snapshot],
  );
  const colourOf = useAgentColours();
  // Pulses travel only where traffic can pass: a drawn edge that is not cut.
  const liveEdges = useMemo(() => new Set(edges.filter((e) => !e.cut).map((e) => e.key)), [edges]);
  const hasLiveEdge = useCallback(
    (from: AgentId, to: AgentId) => liveEdges.has(pairKey(from, to)),
    [liveEdges],
  );
  const [layout] = useState(() => createTopologyLayout());
  const positions = useMemo(
    () =>
      layout.update(
        nodes.map((n) => ({ id: n.id, anchored: n.isSelf, island: n.island })),
        // Cut links do not hold their ends together: the islands drift apart.
        edges.filter((e) => !e.cut),
      ),
    [layout, nodes, edges],
  );

  const frameRef = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(frameRef, FALLBACK_SIZE);
  const view = useMemo(
    () =>
      fitToView(positions.values(), { width, height, padding: 56, maxScale: 4, maxStretch: 1.6 }),
    [positions, width, height],
  );
  const at = useCallback(
    (id: string) => project(positions.get(id) ?? ORIGIN, view),
    [positions, view],
  );

  const islands = useMemo(() => {
    if (snapshot === null) return [];
    const groups = snapshot.chaos.partition ?? [];
    return selectIslands(nodes).map((island) => ({
      index: island.index,
      points: island.ids.map((id) => project(positions.get(id) ?? ORIGIN, view)),
      size: groups[island.index]?.length ?? island.ids.length,
      hasSelf: island.ids.includes(snapshot.selfId),
    }));
  }, [snapshot, nodes, positions, view]);

  let message: string | null = null;
  if (snapshot === null) message = 'starting…';
  else if (nodes.length <= 1) message = 'No peers yet. Open this room in another tab to join.';

  const self = snapshot?.selfId ?? null;
  const ownLive = (edge: GraphEdge) =>
    !edge.synthetic && edge.source === 'self' && (edge.a === self || edge.b === self);

  return (
    <div className={`topology-frame${partitionMode ? ' is-grouping' : ''}`} ref={frameRef}>
      <svg
        className="topology"
        data-testid="topology"
        data-partitioned={snapshot?.chaos.partition != null ? 'true' : undefined}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-label="Mesh topology"
      >
        <TopologyIslands islands={islands} />
        <g className="edges">
          {edges.map((edge) => {
            const linkSelected =
              selectedLink !== null && selectedLink.a === edge.a && selectedLink.b === edge.b;
            return (
              <TopologyEdge
                key={edge.key}
                edge={edge}
                from={at(edge.a)}
                to={at(edge.b)}
                emphasis={linkSelected ? 'normal' : emphasisOf(edge, selectedId)}
                selected={linkSelected}
                onSelect={ownLive(edge) ? toggleLink : undefined}
              />
            );
          })}
        </g>
        <TopologyPulses
          messages={snapshot?.consensus?.recentMessages ?? null}
          drawn={hasLiveEdge}
          at={at}
        />
        <g className="nodes">
          {nodes.map((node) => (
            <TopologyNode
              key={node.id}
              node={node}
              at={at(node.id)}
              selected={node.id === selectedId}
              membershipKnown={colourByHealth}
              group={effectiveGroup(groupOf, groupCount, node.id)}
              partitionMode={partitionMode}
              consensus={marks.get(node.id)}
              raftLeader={coordinator?.leader === node.id ? coordinator : undefined}
              load={loads.get(node.id)}
              agentColour={colourOf(node.id)}
              onActivate={activateNode}
            />
          ))}
        </g>
      </svg>
      {message !== null && <p className="topology-message">{message}</p>}
      {partitionMode && (
        <p className="topology-hint">Partition mode: click agents to move them between groups</p>
      )}
    </div>
  );
}
