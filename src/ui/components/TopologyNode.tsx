import type { KeyboardEvent } from 'react';
import type { AgentId } from '../../core/base/ids';
import {
  CUT_COLOUR,
  FLAGGED_COLOUR,
  FROZEN_COLOUR,
  groupColour,
  HEALTH_COLOURS,
  nodeLook,
  PRIMARY_COLOUR,
  RAFT_LEADER_COLOUR,
} from '../charts/palette';
import { loadRingPath } from '../charts/loadRing';
import type { Point } from '../charts/topologyLayout';
import { flagLines, type ConsensusMark } from '../store/consensusSelectors';
import type { GraphNode } from '../store/selectors';
import type { NodeLoad } from '../store/taskSelectors';

export const NODE_RADIUS = 15;
export const SELF_RADIUS = 19;

export interface TopologyNodeProps {
  node: GraphNode;
  at: Point;
  selected: boolean;
  /** Colour by membership health (true once the membership view has members). */
  membershipKnown: boolean;
  /** The node's group in the partition being drawn up. */
  group: number;
  /** Partition mode: the group ring is shown and a click cycles the group. */
  partitionMode: boolean;
  /** pBFT primary and flags, when the agent runs pBFT and the node has either. */
  consensus?: ConsensusMark;
  /** Set when the agent is the Raft leader (the mesh's coordinator), with its term. */
  raftLeader?: { term: number };
  /** The agent's task load (ring: busy share; badge: queue), when the agent runs tasks. */
  load?: NodeLoad;
  /** The agent's colour in the Tasks tab, for its queue badge. */
  agentColour?: string;
  onActivate(id: AgentId): void;
}

const NO_MARK: ConsensusMark = { primary: false, flags: [] };

function stateClass(node: GraphNode): string {
  if (node.isSelf) return 'node--self';
  return node.linkState === null ? 'node--remote' : `node--${node.linkState}`;
}

function describe(
  node: GraphNode,
  membershipKnown: boolean,
  mark: ConsensusMark,
  raftLeader: { term: number } | undefined,
  load: NodeLoad | undefined,
): string {
  const parts: string[] = [node.isSelf ? 'this agent' : (node.linkState ?? 'known from adverts')];
  if (membershipKnown)
    parts.push(node.health === 'unknown' ? 'not in membership yet' : node.health);
  if (node.suspicions > 0) parts.push(`suspected by ${node.suspicions}`);
  if (node.frozen) parts.push('frozen');
  if (mark.primary) parts.push('pBFT primary');
  if (raftLeader !== undefined) parts.push(`Raft leader, term ${raftLeader.term}`);
  if (mark.flags.length > 0) parts.push('flagged as faulty');
  if (load !== undefined) {
    const busy = load.utilisation === null ? '' : `, ${Math.round(load.utilisation * 100)} % busy`;
    parts.push(`tasks: ${load.queued} queued, ${load.running} running${busy}`);
  }
  return parts.join(', ');
}

interface BadgeProps {
  at: Point;
  colour: string;
  text: string;
  className?: string;
}

/** A small lettered disc at a corner of the node. */
function Badge({ at, colour, text, className }: BadgeProps) {
  const classes = className === undefined ? 'node-badge' : `node-badge ${className}`;
  return (
    <g className={classes} transform={`translate(${at.x},${at.y})`}>
      <circle r={8} fill={colour} />
      <text dy="0.35em" textAnchor="middle">
        {text}
      </text>
    </g>
  );
}

/** A five-pointed star, outer radius 7, inner 3, point up. */
const LEADER_STAR_POINTS = Array.from({ length: 10 }, (_, i) => {
  const r = i % 2 === 0 ? 7 : 3;
  const angle = (Math.PI / 5) * i - Math.PI / 2;
  return `${(r * Math.cos(angle)).toFixed(2)},${(r * Math.sin(angle)).toFixed(2)}`;
}).join(' ');

/** The Raft leader's star, above the node: the four corners already carry badges. */
function LeaderStar({ y }: { y: number }) {
  return (
    <g className="node-leader-mark" transform={`translate(0,${y})`}>
      <polygon points={LEADER_STAR_POINTS} fill={RAFT_LEADER_COLOUR} />
    </g>
  );
}

/** The ring's empty part: a shade darker than any disc, so the busy part reads against it. */
const LOAD_TRACK_COLOUR = '#0f172a';

/**
 * The task load, drawn subtly: a band just inside the disc filled round as far as the agent is
 * busy (over a faint full track), and a pill on the right with its queue when it has one.
 */
function LoadMarks({
  load,
  radius,
  badgeX,
  colour,
  onDisc,
}: {
  load: NodeLoad;
  radius: number;
  /** Where the queue pill starts: clear of the self ring on this agent's own node. */
  badgeX: number;
  colour: string;
  /** The colour the band is drawn in: white on a filled disc, the outline's on a hollow one. */
  onDisc: string;
}) {
  const track = loadRingPath(radius, 1);
  const busy = load.utilisation === null ? '' : loadRingPath(radius, load.utilisation);
  const text = load.queued > 99 ? '99+' : String(load.queued);
  const widthPx = 8 + 6 * text.length;
  return (
    <g className="node-load" aria-hidden="true">
      {load.utilisation !== null && (
        <path className="node-load-track" d={track} style={{ fill: LOAD_TRACK_COLOUR }} />
      )}
      {busy !== '' && <path className="node-load-busy" d={busy} style={{ fill: onDisc }} />}
      {load.queued > 0 && (
        <g className="node-queue-badge" transform={`translate(${badgeX},0)`}>
          <rect x={0} y={-7} width={widthPx} height={14} rx={7} style={{ fill: colour }} />
          <text x={widthPx / 2} dy="0.35em" textAnchor="middle">
            {text}
          </text>
        </g>
      )}
    </g>
  );
}

/** Three crossing strokes: a small snowflake for a frozen agent. */
function Snowflake({ x, y }: Point) {
  return (
    <g className="node-frozen-badge" transform={`translate(${x},${y})`}>
      <circle r={8} fill={FROZEN_COLOUR} />
      {[0, 60, 120].map((deg) => (
        <line key={deg} x1={-5} y1={0} x2={5} y2={0} transform={`rotate(${deg})`} />
      ))}
    </g>
  );
}

export function TopologyNode({
  node,
  at,
  selected,
  membershipKnown,
  group,
  partitionMode,
  consensus = NO_MARK,
  raftLeader,
  load,
  agentColour = PRIMARY_COLOUR,
  onActivate,
}: TopologyNodeProps) {
  const radius = node.isSelf ? SELF_RADIUS : NODE_RADIUS;
  const look = nodeLook(node, membershipKnown);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    onActivate(node.id);
  };
  const description = describe(node, membershipKnown, consensus, raftLeader, load);
  const flagged = consensus.flags.length > 0;
  const tooltip = [
    node.id,
    description,
    ...(node.reason !== null ? [node.reason] : []),
    ...flagLines(consensus.flags),
  ].join('\n');
  const badgeAt = { x: radius * 0.8, y: -radius * 0.8 };
  const showStatus =
    membershipKnown &&
    (node.health === 'suspect' || node.health === 'dead' || node.health === 'left');
  return (
    <g
      className={`node ${stateClass(node)} node--health-${node.health}${selected ? ' is-selected' : ''}${partitionMode ? ' is-grouping' : ''}`}
      transform={`translate(${at.x.toFixed(1)},${at.y.toFixed(1)})`}
      data-testid="topology-node"
      data-agent-id={node.id}
      data-self={node.isSelf ? 'true' : undefined}
      data-state={node.linkState ?? undefined}
      data-status={node.health}
      data-group={group}
      data-island={node.island ?? undefined}
      data-suspicions={node.suspicions > 0 ? node.suspicions : undefined}
      data-frozen={node.frozen ? 'true' : undefined}
      data-primary={consensus.primary ? 'true' : undefined}
      data-flagged={flagged ? 'true' : undefined}
      data-raft-leader={raftLeader !== undefined ? 'true' : undefined}
      data-queued={load?.queued}
      data-busy={
        load === undefined || load.utilisation === null
          ? undefined
          : Math.round(load.utilisation * 100)
      }
      role="button"
      tabIndex={0}
      aria-pressed={partitionMode ? undefined : selected}
      aria-label={
        partitionMode
          ? `${node.shortId} (${description}), group ${group + 1}: activate to move to the next group`
          : `${node.shortId} (${description})`
      }
      onClick={() => onActivate(node.id)}
      onKeyDown={onKeyDown}
    >
      <title>{tooltip}</title>
      {selected && <circle className="node-selection" r={radius + 10} />}
      {partitionMode ? (
        <circle className="node-group-ring" r={radius + 6} stroke={groupColour(group)} />
      ) : (
        node.isSelf && <circle className="node-ring" r={radius + 5} />
      )}
      {node.health === 'suspect' && (
        <circle className="node-suspect-ring" r={radius + (partitionMode ? 11 : 6)} />
      )}
      {node.frozen && <circle className="node-frozen-ring" r={radius + 3} />}
      {flagged && <circle className="node-flagged-ring" r={radius + (partitionMode ? 15 : 9)} />}
      <circle
        className={`node-dot${look.hollow ? ' node-dot--hollow' : ''}`}
        r={radius}
        style={look.hollow ? { fill: '#ffffff', stroke: look.fill } : { fill: look.fill }}
      />
      {load !== undefined && (
        <LoadMarks
          load={load}
          radius={radius}
          badgeX={radius + (node.isSelf ? 8 : 3)}
          colour={agentColour}
          onDisc={look.hollow ? look.fill : '#ffffff'}
        />
      )}
      {node.isSelf && (
        <text className="node-you" dy="0.35em" textAnchor="middle">
          you
        </text>
      )}
      {!node.isSelf && node.health === 'dead' && membershipKnown && (
        <g className="node-cross">
          <line x1={-5} y1={-5} x2={5} y2={5} />
          <line x1={-5} y1={5} x2={5} y2={-5} />
        </g>
      )}
      {node.suspicions > 0 && (
        <Badge at={badgeAt} colour={HEALTH_COLOURS.suspect} text={String(node.suspicions)} />
      )}
      {node.frozen && <Snowflake x={-badgeAt.x} y={badgeAt.y} />}
      {consensus.primary && (
        <Badge
          at={{ x: -badgeAt.x, y: -badgeAt.y }}
          colour={PRIMARY_COLOUR}
          text="P"
          className="node-primary-badge"
        />
      )}
      {flagged && (
        <Badge
          at={{ x: badgeAt.x, y: -badgeAt.y }}
          colour={FLAGGED_COLOUR}
          text="!"
          className="node-flagged-badge"
        />
      )}
      {raftLeader !== undefined && <LeaderStar y={-radius - 6} />}
      <text className="node-label" y={radius + 15} textAnchor="middle">
        {node.shortId}
      </text>
      {showStatus && (
        <text
          className="node-status"
          y={radius + 28}
          textAnchor="middle"
          fill={node.health === 'dead' ? CUT_COLOUR : HEALTH_COLOURS[node.health]}
        >
          {node.health}
        </text>
      )}
    </g>
  );
}
