import { groupColour } from '../charts/palette';
import { islandShapes, outlinePath } from '../charts/islandHull';
import type { Point } from '../charts/topologyLayout';

const agents = (n: number) => (n === 1 ? '1 agent' : `${n} agents`);

/** Space around each node of an island, in px. */
export const ISLAND_PADDING = 34;

export interface TopologyIslandsProps {
  islands: readonly {
    index: number;
    points: readonly Point[];
    /** Agents in the group (drawn or not). */
    size: number;
    hasSelf: boolean;
  }[];
}

/** A soft blob behind each side of an active partition, coloured by group, with a caption. */
export function TopologyIslands({ islands }: TopologyIslandsProps) {
  const shapes = islandShapes(islands, ISLAND_PADDING);
  const byIndex = new Map(islands.map((i) => [i.index, i]));
  return (
    <g className="islands" aria-hidden="true">
      {shapes.map((shape) => {
        const colour = groupColour(shape.index);
        return (
          <g
            key={shape.index}
            className="island"
            data-testid="topology-island"
            data-island={shape.index}
          >
            <g className="island-blob" fill={colour} stroke={colour}>
              <path d={outlinePath(shape.outline)} strokeWidth={ISLAND_PADDING * 2} />
              {shape.outline.map((p, i) => (
                <circle key={i} cx={p.x} cy={p.y} r={ISLAND_PADDING} stroke="none" />
              ))}
            </g>
            <text
              className="island-label"
              x={shape.labelAt.x}
              y={shape.labelAt.y}
              textAnchor="middle"
              fill={colour}
            >
              {`side ${shape.index + 1}${byIndex.get(shape.index)?.hasSelf === true ? ' (you)' : ''} · ${agents(byIndex.get(shape.index)?.size ?? 0)}`}
            </text>
          </g>
        );
      })}
    </g>
  );
}
