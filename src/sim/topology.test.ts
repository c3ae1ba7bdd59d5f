import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../core/base/prng';
import { buildTopology, defaultTopology, edgeCount, type Adjacency } from './topology';

function isSymmetric(adjacency: Adjacency): boolean {
  return adjacency.every((peers, a) => peers.every((b) => adjacency[b]?.includes(a)));
}

function isConnected(adjacency: Adjacency): boolean {
  const seen = new Set([0]);
  const stack = [0];
  while (stack.length > 0) {
    for (const next of adjacency[stack.pop() as number] ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen.size === adjacency.length;
}

describe('topology', () => {
  it('defaults to a full mesh up to 64 agents and degree 8 above', () => {
    expect(defaultTopology(64)).toEqual({ kind: 'full' });
    expect(defaultTopology(65)).toEqual({ kind: 'random', degree: 8 });
  });

  it('a full mesh links everyone to everyone else', () => {
    const adjacency = buildTopology(5, { kind: 'full' }, createSeededPrng(1));
    expect(adjacency[2]).toEqual([0, 1, 3, 4]);
    expect(edgeCount(adjacency)).toBe(10);
  });

  it('a random graph is symmetric, connected, free of self links, and close to the degree', () => {
    for (const [agents, degree] of [
      [1000, 8],
      [100, 3],
      [12, 8],
      [9, 8],
    ] as const) {
      const adjacency = buildTopology(agents, { kind: 'random', degree }, createSeededPrng(agents));
      expect(isSymmetric(adjacency)).toBe(true);
      expect(isConnected(adjacency)).toBe(true);
      expect(adjacency.every((peers, a) => !peers.includes(a))).toBe(true);
      expect(adjacency.every((peers) => new Set(peers).size === peers.length)).toBe(true);
      const degrees = adjacency.map((peers) => peers.length);
      const exact = degrees.filter((d) => d === Math.min(degree, agents - 1)).length;
      expect(exact / agents).toBeGreaterThan(0.9);
      expect(Math.max(...degrees)).toBeLessThanOrEqual(Math.min(degree, agents - 1) + 2);
    }
  });

  it('is a function of the seed', () => {
    const build = (seed: number) =>
      buildTopology(200, { kind: 'random', degree: 8 }, createSeededPrng(seed));
    expect(build(3)).toEqual(build(3));
    expect(build(3)).not.toEqual(build(4));
  });
});
