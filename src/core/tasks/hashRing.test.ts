import { describe, expect, it } from 'vitest';
import { hash32 } from '../base/hash32';
import { compareIds, type AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import { HashRing } from './hashRing';

/** `n` agent ids as the mesh makes them (64 hex digits), from a seed. */
function agentIds(n: number, seed = 1): AgentId[] {
  const prng = createSeededPrng(seed);
  return Array.from(
    { length: n },
    () =>
      Array.from({ length: 8 }, () => prng.nextU32().toString(16).padStart(8, '0')).join(
        '',
      ) as AgentId,
  );
}

function keys(count: number, seed = 7): string[] {
  const prng = createSeededPrng(seed);
  return Array.from({ length: count }, (_, i) => `task-${i}-${prng.nextU32()}`);
}

/** The owner the slow way: every point of every member, the closest at or after the key. */
function naiveOwner(members: readonly AgentId[], virtualNodes: number, key: string): AgentId {
  const h = hash32(key);
  let best: { distance: number; member: AgentId } | null = null;
  for (const member of [...members].sort(compareIds)) {
    for (let v = 0; v < virtualNodes; v++) {
      const distance = (hash32(`${member}#${v}`) - h + 2 ** 32) % 2 ** 32;
      if (best === null || distance < best.distance) best = { distance, member };
    }
  }
  return (best as { member: AgentId }).member;
}

describe('HashRing', () => {
  it('finds the owner the naive search finds, for any key', () => {
    const members = agentIds(7);
    const ring = new HashRing(members, 16);
    for (const key of keys(500)) expect(ring.ownerOf(key)).toBe(naiveOwner(members, 16, key));
  });

  it('gives R distinct owners starting at the owner, the same whatever order members come in', () => {
    const members = agentIds(10);
    const ring = new HashRing(members);
    const shuffled = new HashRing([...members].reverse());
    for (const key of keys(200)) {
      const owners = ring.owners(key, 3);
      expect(new Set(owners).size).toBe(3);
      expect(owners[0]).toBe(ring.ownerOf(key));
      expect(shuffled.owners(key, 3)).toEqual(owners);
    }
    expect(new HashRing(members.slice(0, 2)).owners('k', 3)).toHaveLength(2);
    expect(new HashRing([]).ownerOf('k')).toBeNull();
  });

  it('spreads keys: at N = 32 with 64 virtual nodes the busiest share is near the mean', () => {
    const ring = new HashRing(agentIds(32), 64);
    const shares = [...ring.shares().values()];
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // The bench reports the figure against its 1.3x target; this only catches a broken hash.
    expect(Math.max(...shares) * 32).toBeLessThan(1.6);
    const single = [...new HashRing(agentIds(32), 1).shares().values()];
    expect(Math.max(...single)).toBeGreaterThan(Math.max(...shares));
  });

  it('a join moves keys only to the new member, about 1/N of them; a leave only those of the leaver', () => {
    const members = agentIds(32);
    const before = new HashRing(members);
    const joiner = agentIds(1, 99)[0] as AgentId;
    const after = new HashRing([...members, joiner]);
    const sample = keys(20_000);
    let moved = 0;
    for (const key of sample) {
      const was = before.ownerOf(key);
      const now = after.ownerOf(key);
      if (was !== now) {
        moved++;
        expect(now).toBe(joiner);
      }
    }
    expect(moved / sample.length).toBeGreaterThan(0.5 / 33);
    expect(moved / sample.length).toBeLessThan(2 / 33);
    const leaver = members[5] as AgentId;
    const without = new HashRing(members.filter((m) => m !== leaver));
    for (const key of sample) {
      if (before.ownerOf(key) !== leaver) expect(without.ownerOf(key)).toBe(before.ownerOf(key));
      else expect(without.ownerOf(key)).not.toBe(leaver);
    }
  });

  it('refuses a virtual node count out of range', () => {
    expect(() => new HashRing(agentIds(2), 0)).toThrow(RangeError);
    expect(() => new HashRing(agentIds(2), 1.5)).toThrow(RangeError);
    expect(() => new HashRing(agentIds(2), 5000)).toThrow(RangeError);
  });
});
