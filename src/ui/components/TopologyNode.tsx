import type { KeyboardEvent } from 'react';
import type { AgentId } from '../../core/base/ids';
import type { Point } from '../charts/topologyLayout';
import type { GraphNode } from '../store/selectors';

export const NODE_RADIUS = 15;
export const SELF_RADIUS = 19;

export interface TopologyNodeProps {
  node: GraphNode;
  at: Point;
  selected: boolean;
  onToggle(id: AgentId): void;
}

function stateClass(node: GraphNode): string {
  if (node.isSelf) return 'node--self';
  return node.linkState === null ? 'node--remote' : `node--${node.linkState}`;
}

export function TopologyNode({ node, at, selected, onToggle }: TopologyNodeProps) {
  const radius = node.isSelf ? SELF_RADIUS : NODE_RADIUS;
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    onToggle(node.id);
  };
  const role = node.isSelf ? 'this agent' : (node.linkState ?? 'known from adverts');
  return (
    <g
      className={`node ${stateClass(node)}${selected ? ' is-selected' : ''}`}
      transform={`translate(${at.x.toFixed(1)},${at.y.toFixed(1)})`}
      data-testid="topology-node"
      data-agent-id={node.id}
      data-self={node.isSelf ? 'true' : undefined}
      data-state={node.linkState ?? undefined}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      aria-label={`${node.shortId} (${role})`}
      onClick={() => onToggle(node.id)}
      onKeyDown={onKeyDown}
    >
      <title>{`${node.id}\n${role}`}</title>
      {selected && <circle className="node-selection" r={radius + 9} />}
      {node.isSelf && <circle className="node-ring" r={radius + 5} />}
      <circle className="node-dot" r={radius} />
      {node.isSelf && (
        <text className="node-you" dy="0.35em" textAnchor="middle">
          you
        </text>
      )}
      <text className="node-label" y={radius + 15} textAnchor="middle">
        {node.shortId}
      </text>
    </g>
  );
}
