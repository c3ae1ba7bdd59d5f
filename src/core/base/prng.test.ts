import { describe, expect, it } from 'vitest';
import { createSeededPrng, shuffleInPlace } from './prng';

function draws(seed: number, count: number): number[] {
  const prng = createSeededPrng(seed);
  return Array.from({ length: count }, () => prng.nextU32());
}

/** Pearson chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((sum, c) => sum + c, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

describe('createSeededPrng', () => {
  it('replays the same sequence for the same seed', () => {
    expect(draws(42, 1000)).toEqual(draws(42, 1000));
  });

  it('gives different sequences for different seeds, including 0 and negative seeds', () => {
    const seeds = [0, 1, 2, 42, -1, 0x7fffffff, 0xffffffff + 1];
    const firsts = seeds.map((seed) => draws(seed, 4).join(','));
    // 2^32 wraps to 0 (seeds are u32), so only that pair may coincide.
    expect(firsts[0]).toBe(firsts[6]);
    expect(new Set(firsts.slice(0, 6)).size).toBe(6);
    expect(draws(1, 100)).not.toEqual(draws(2, 100));
  });

  it('keeps nextU32 an integer in [0, 2^32)', () => {
    const bad = draws(7, 10_000).filter((v) => !Number.isInteger(v) || v < 0 || v >= 2 ** 32);
    expect(bad).toEqual([]);
  });

  it('keeps nextFloat in [0, 1) and nextInt in [0, bound)', () => {
    const prng = createSeededPrng(9);
    const bad: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const f = prng.nextFloat();
      if (!(f >= 0 && f < 1)) bad.push(`float ${f}`);
      const bound = 1 + (i % 37);
      const n = prng.nextInt(bound);
      if (!(Number.isInteger(n) && n >= 0 && n < bound)) bad.push(`int ${n} of ${bound}`);
    }
    expect(bad).toEqual([]);
    expect(createSeededPrng(3).nextInt(1)).toBe(0);
  });

  it('refuses bounds that are not positive integers', () => {
    const prng = createSeededPrng(1);
    for (const bound of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => prng.nextInt(bound)).toThrow(RangeError);
    }
  });

  it('is roughly uniform over buckets and over bits', () => {
    const prng = createSeededPrng(2024);
    const buckets = new Array<number>(16).fill(0);
    const bitCounts = new Array<number>(32).fill(0);
    const samples = 160_000;
    for (let i = 0; i < samples; i++) {
      const idx = prng.nextInt(16);
      buckets[idx] = (buckets[idx] ?? 0) + 1;
      const word = prng.nextU32();
      for (let bit = 0; bit < 32; bit++) if ((word >>> bit) & 1) bitCounts[bit]!++;
    }
    // 15 degrees of freedom: the 99.9th percentile is 37.7.
    expect(chiSquare(buckets)).toBeLessThan(37.7);
    for (const count of bitCounts) expect(Math.abs(count / samples - 0.5)).toBeLessThan(0.01);
    // Mean of floats near 1/2.
    let sum = 0;
    for (let i = 0; i < samples; i++) sum += prng.nextFloat();
    expect(Math.abs(sum / samples - 0.5)).toBeLessThan(0.005);
  });
});

describe('shuffleInPlace', () => {
  it('returns the same array as a permutation, deterministically', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = shuffleInPlace(items, createSeededPrng(5));
    expect(shuffled).toBe(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const again = shuffleInPlace(
      Array.from({ length: 50 }, (_, i) => i),
      createSeededPrng(5),
    );
    expect(again).toEqual(shuffled);
    expect(shuffled).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('puts every element in every position about equally often', () => {
    const prng = createSeededPrng(77);
    const size = 5;
    const rounds = 50_000;
    // counts[element][position]
    const counts = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    for (let r = 0; r < rounds; r++) {
      const arr = shuffleInPlace([0, 1, 2, 3, 4], prng);
      arr.forEach((element, position) => counts[element]![position]!++);
    }
    for (const row of counts) expect(chiSquare(row)).toBeLessThan(18.5); // 4 dof, p = 0.001
  });

  it('leaves empty and single-element arrays alone', () => {
    const prng = createSeededPrng(1);
    expect(shuffleInPlace([], prng)).toEqual([]);
    expect(shuffleInPlace(['x'], prng)).toEqual(['x']);
  });
});
