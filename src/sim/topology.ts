import { shuffleInPlace, type Prng } from '../core/base/prng';

/** Which agents the cluster links: everyone with everyone, or about `degree` random others each. */
export type TopologySpec = { kind: 'full' } | { kind: 'random'; degree: number };

/** Above this many agents the default is a random graph: a full mesh grows as n^2. */
export const FULL_MESH_MAX_AGENTS = 64;
export const DEFAULT_DEGREE = 8;

export function defaultTopology(agentCount: number): TopologySpec {
  return agentCount <= FULL_MESH_MAX_AGENTS
    ? { kind: 'full' }
    : { kind: 'random', degree: DEFAULT_DEGREE };
}

/** Symmetric adjacency lists, each sorted ascending. */
export type Adjacency = number[][];

export function buildTopology(agentCount: number, spec: TopologySpec, prng: Prng): Adjacency {
  if (spec.kind === 'full') {
    return Array.from({ length: agentCount }, (_, i) =>
      Array.from({ length: agentCount }, (_, j) => j).filter((j) => j !== i),
    );
  }
  return randomGraph(agentCount, spec.degree, prng);
}

/**
 * A connected graph where nearly every agent has `degree` links: random pairing of link stubs
 * (self-loops and repeats discarded, a few passes), a greedy pass over agents still short, then
 * one bridge per extra component so nobody is stranded.
 */
function randomGraph(agentCount: number, degree: number, prng: Prng): Adjacency {
  if (!(Number.isInteger(degree) && degree > 0)) throw new RangeError(`bad degree ${degree}`);
  const sets = Array.from({ length: agentCount }, () => new Set<number>());
  const link = (a: number, b: number): boolean => {
    if (a === b || sets[a]!.has(b)) return false;
    sets[a]!.add(b);
    sets[b]!.add(a);
    return true;
  };
  let stubs: number[] = [];
  for (let agent = 0; agent < agentCount; agent++) {
    for (let k = 0; k < Math.min(degree, agentCount - 1); k++) stubs.push(agent);
  }
  for (let pass = 0; pass < 4 && stubs.length > 1; pass++) {
    shuffleInPlace(stubs, prng);
    const left: number[] = [];
    for (let i = 0; i + 1 < stubs.length; i += 2) {
      const a = stubs[i] as number;
      const b = stubs[i + 1] as number;
      if (!link(a, b)) left.push(a, b);
    }
    if (stubs.length % 2 === 1) left.push(stubs[stubs.length - 1] as number);
    stubs = left;
  }
  // Dense graphs strand stubs on collisions: pair up whoever is still short, greedily.
  const target = Math.min(degree, agentCount - 1);
  const short = shuffleInPlace([...new Set(stubs)], prng);
  for (const a of short) {
    for (const b of short) {
      if (sets[a]!.size >= target) break;
      if (sets[b]!.size < target) link(a, b);
    }
  }
  connectComponents(sets, prng, link);
  return sets.map((set) => [...set].sort((x, y) => x - y));
}

function connectComponents(
  sets: Set<number>[],
  prng: Prng,
  link: (a: number, b: number) => boolean,
): void {
  const component = new Int32Array(sets.length).fill(-1);
  const members: number[][] = [];
  for (let start = 0; start < sets.length; start++) {
    if (component[start] !== -1) continue;
    const id = members.length;
    const found = [start];
    component[start] = id;
    for (let i = 0; i < found.length; i++) {
      for (const next of sets[found[i] as number] as Set<number>) {
        if (component[next] === -1) {
          component[next] = id;
          found.push(next);
        }
      }
    }
    members.push(found);
  }
  const main = members[0] ?? [];
  for (const other of members.slice(1)) {
    link(other[prng.nextInt(other.length)] as number, main[prng.nextInt(main.length)] as number);
  }
}

export function edgeCount(adjacency: Adjacency): number {
  return adjacency.reduce((sum, list) => sum + list.length, 0) / 2;
}
