import { describe, expect, it } from 'vitest';
import {
  byzantineFaultsTolerated,
  byzantineQuorumOf,
  hasByzantineQuorum,
  replyCertificateOf,
} from './byzantine';

/** Number of set bits: the size of a replica set written as a bit mask. */
function popcount(mask: number): number {
  let count = 0;
  for (let rest = mask; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/**
 * The naive oracle: the smallest q for which every two sets of q replicas (enumerated as bit
 * masks) share at least f + 1 replicas.
 */
function naiveQuorum(n: number, f: number): number {
  const sets = Array.from({ length: 1 << n }, (_, mask) => mask);
  for (let q = 1; q <= n; q++) {
    const ofSize = sets.filter((mask) => popcount(mask) === q);
    const intersecting = ofSize.every((a) => ofSize.every((b) => popcount(a & b) >= f + 1));
    if (intersecting) return q;
  }
  return Number.POSITIVE_INFINITY;
}

describe('Byzantine quorums', () => {
  it('tolerates floor((n-1)/3) faults and needs 2f+1 at n = 3f+1', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10, 13].map(byzantineFaultsTolerated)).toEqual([
      0, 0, 0, 1, 1, 1, 2, 3, 4,
    ]);
    for (let f = 0; f <= 20; f++) expect(byzantineQuorumOf(3 * f + 1)).toBe(2 * f + 1);
    expect([4, 5, 6, 7].map(byzantineQuorumOf)).toEqual([3, 4, 4, 5]);
    expect([4, 7].map(replyCertificateOf)).toEqual([2, 3]);
  });

  it('matches the naive oracle: the smallest size whose sets pairwise share f+1 replicas', () => {
    for (let n = 1; n <= 12; n++) {
      const f = byzantineFaultsTolerated(n);
      expect(byzantineQuorumOf(n), `n = ${n}`).toBe(naiveQuorum(n, f));
    }
  });

  it('any two quorums share at least f+1 replicas, and the honest alone form one', () => {
    for (let n = 1; n <= 1000; n++) {
      const f = byzantineFaultsTolerated(n);
      const q = byzantineQuorumOf(n);
      // The worst overlap of two q-sets out of n is 2q - n.
      expect(2 * q - n, `n = ${n}`).toBeGreaterThanOrEqual(f + 1);
      expect(q, `n = ${n}`).toBeLessThanOrEqual(n - f);
      expect(hasByzantineQuorum(q, n)).toBe(true);
      expect(hasByzantineQuorum(q - 1, n)).toBe(false);
    }
  });

  it('refuses a replica count that is not a whole number of at least one', () => {
    expect(() => byzantineQuorumOf(0)).toThrow();
    expect(() => byzantineFaultsTolerated(2.5)).toThrow();
  });
});
