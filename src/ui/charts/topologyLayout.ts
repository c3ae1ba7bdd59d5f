import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3';

export interface Point {
  x: number;
  y: number;
}

export interface LayoutOptions {
  linkDistance?: number;
  /** Repulsion between nodes (positive number; applied as a negative charge). */
  repulsion?: number;
  /** Minimum centre-to-centre distance kept between nodes. */
  collideRadius?: number;
  /** Alpha of the final relaxation after a topology change (lower = calmer). */
  relaxAlpha?: number;
}

/**
 * Force layout in a logical space centred on (0, 0); the view fits it to the panel. Positions
 * are kept by id across updates: surviving nodes start where they were, newcomers start next to
 * a neighbour and settle while the survivors are pinned, then everything relaxes gently. So the
 * picture does not jump when a peer joins, leaves or a link is cut.
 */
export interface TopologyLayout {
  /** Positions for every node id; the same Map object while the topology is unchanged. */
  update(
    nodes: readonly LayoutNodeInput[],
    links: readonly { a: string; b: string }[],
  ): ReadonlyMap<string, Point>;
}

export interface LayoutNodeInput {
  id: string;
  /** Pulled firmly towards the centre (the own agent), so the view is drawn around it. */
  anchored?: boolean;
  /**
   * The node's island in an active partition (0 = the own agent's). Islands are pulled towards
   * their own centres, spread round a circle, so each side of a split reads as one group.
   */
  island?: number | null;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  anchored: boolean;
  island: number | null;
}

/** A small deterministic generator so layouts are reproducible (d3 jiggles coincident nodes). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function hashAngle(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return ((h >>> 0) / 2 ** 32) * 2 * Math.PI;
}

function pin(node: SimNode): void {
  node.fx = node.x ?? null;
  node.fy = node.y ?? null;
}

function unpin(node: SimNode): void {
  node.fx = null;
  node.fy = null;
  node.vx = 0;
  node.vy = 0;
}

function centring(node: SimNode): number {
  if (node.island !== null) return node.anchored ? 0.2 : 0.1;
  return node.anchored ? 0.25 : 0.05;
}

/**
 * Where island `index` of `count` is pulled to: island 0 (the own agent's) on the left, the
 * others round a circle from there, so a two-way split reads left | right on a wide panel.
 */
export function islandCentre(index: number, count: number, spacing: number): Point {
  if (count < 2) return { x: 0, y: 0 };
  const angle = Math.PI + (2 * Math.PI * index) / count;
  const radius = spacing * (count === 2 ? 1 : 1.15);
  return { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
}

function topologyKey(ids: readonly string[], links: readonly { a: string; b: string }[]): string {
  const pairs = links.map(({ a, b }) => (a < b ? `${a}-${b}` : `${b}-${a}`)).sort();
  return `${[...ids].sort().join(',')}/${pairs.join(',')}`;
}

function islandKey(nodes: readonly LayoutNodeInput[]): string {
  return nodes
    .filter((n) => n.island !== undefined && n.island !== null)
    .map((n) => `${n.id}:${n.island}`)
    .sort()
    .join(',');
}

export function createTopologyLayout(options: LayoutOptions = {}): TopologyLayout {
  const linkDistance = options.linkDistance ?? 120;
  const repulsion = options.repulsion ?? 420;
  const collideRadius = options.collideRadius ?? 40;
  const relaxAlpha = options.relaxAlpha ?? 0.08;
  /** Alpha of the relaxation after a split or a heal: islands move visibly apart or together. */
  const regroupAlpha = 0.6;

  let positions: ReadonlyMap<string, Point> = new Map();
  let currentKey = '';
  let currentIslands = '';

  function startPoint(id: string, neighbours: Map<string, string[]>): Point | undefined {
    const kept = positions.get(id);
    if (kept !== undefined) return { ...kept };
    if (positions.size === 0) return undefined; // first layout: d3's phyllotaxis start
    const angle = hashAngle(id);
    const anchor = (neighbours.get(id) ?? []).map((n) => positions.get(n)).find((p) => p);
    if (anchor !== undefined) {
      const r = linkDistance * 0.6;
      return { x: anchor.x + r * Math.cos(angle), y: anchor.y + r * Math.sin(angle) };
    }
    let radius = 0;
    for (const p of positions.values()) radius = Math.max(radius, Math.hypot(p.x, p.y));
    radius += linkDistance * 0.5;
    return { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
  }

  return {
    update(nodes, links) {
      const ids = nodes.map((n) => n.id);
      const idSet = new Set(ids);
      const validLinks = links.filter((l) => l.a !== l.b && idSet.has(l.a) && idSet.has(l.b));
      const islands = islandKey(nodes);
      const key = `${topologyKey(
        nodes.map((n) => (n.anchored === true ? `${n.id}*` : n.id)),
        validLinks,
      )}/${islands}`;
      if (key === currentKey) return positions;
      const regrouped = islands !== currentIslands;
      const islandCount = nodes.reduce((max, n) => Math.max(max, n.island ?? -1), -1) + 1;
      const centres = Array.from({ length: islandCount }, (_, i) =>
        islandCentre(i, islandCount, linkDistance * 1.4),
      );
      const target = (node: SimNode, axis: 'x' | 'y') =>
        node.island === null ? 0 : (centres[node.island]?.[axis] ?? 0);

      const neighbours = new Map<string, string[]>();
      for (const { a, b } of validLinks) {
        neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
        neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
      }
      const survivors = new Set(ids.filter((id) => positions.has(id)));
      const simNodes: SimNode[] = nodes.map((n) => ({
        id: n.id,
        anchored: n.anchored === true,
        island: n.island ?? null,
        ...startPoint(n.id, neighbours),
      }));
      const simLinks: SimulationLinkDatum<SimNode>[] = validLinks.map((l) => ({
        source: l.a,
        target: l.b,
      }));

      const simulation = forceSimulation(simNodes)
        .randomSource(lcg(0x5eed))
        .force(
          'link',
          forceLink<SimNode, SimulationLinkDatum<SimNode>>(simLinks)
            .id((d) => d.id)
            .distance(linkDistance),
        )
        .force(
          'charge',
          forceManyBody<SimNode>()
            .strength(-repulsion)
            .distanceMax(linkDistance * 4),
        )
        .force('collide', forceCollide<SimNode>(collideRadius))
        .force('x', forceX<SimNode>((node) => target(node, 'x')).strength(centring))
        .force('y', forceY<SimNode>((node) => target(node, 'y')).strength(centring))
        .stop();
      const run = (alpha: number, maxTicks: number) => {
        simulation.alpha(alpha);
        for (let i = 0; i < maxTicks && simulation.alpha() >= simulation.alphaMin(); i++) {
          simulation.tick();
        }
      };
      if (survivors.size === 0) {
        run(1, 400);
      } else {
        if (survivors.size < simNodes.length) {
          for (const node of simNodes) if (survivors.has(node.id)) pin(node);
          run(0.6, 120);
          for (const node of simNodes) unpin(node);
        }
        run(regrouped ? regroupAlpha : relaxAlpha, 400);
      }

      const next = new Map<string, Point>();
      for (const node of simNodes) next.set(node.id, { x: node.x ?? 0, y: node.y ?? 0 });
      positions = next;
      currentKey = key;
      currentIslands = islands;
      return positions;
    },
  };
}
