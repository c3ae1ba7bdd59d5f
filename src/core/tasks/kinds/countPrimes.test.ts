import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../../base/prng';
import { COUNT_PRIMES_MAX_SPAN, countPrimes, validateCountPrimes } from './countPrimes';

/** Trial division: slow and obviously right. */
function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
function naiveCount(from: number, to: number): number {
  let count = 0;
  for (let n = from; n < to; n++) if (isPrime(n)) count++;
  return count;
}

describe('countPrimes', () => {
  it('counts the edges 0, 1 and 2 right (the range excludes `to`)', () => {
    expect(countPrimes(0, 0)).toBe(0);
    expect(countPrimes(0, 2)).toBe(0);
    expect(countPrimes(0, 3)).toBe(1);
    expect(countPrimes(1, 3)).toBe(1);
    expect(countPrimes(2, 3)).toBe(1);
    expect(countPrimes(3, 3)).toBe(0);
    expect(countPrimes(2, 2)).toBe(0);
    expect(countPrimes(0, 100)).toBe(25);
    expect(countPrimes(97, 98)).toBe(1);
    expect(countPrimes(98, 101)).toBe(0);
  });

  it('knows the prime counting function at powers of ten', () => {
    expect(countPrimes(0, 1_000_000)).toBe(78_498);
    expect(countPrimes(0, 10_000_000)).toBe(664_579);
  });

  it('agrees with trial division on random ranges, across segment boundaries', () => {
    const prng = createSeededPrng(11);
    for (let round = 0; round < 200; round++) {
      const from = round % 4 === 0 ? prng.nextInt(30) : prng.nextInt(2_000_000);
      const to = from + prng.nextInt(round % 10 === 0 ? 600_000 : 3000);
      expect(countPrimes(from, to), `[${from}, ${to})`).toBe(naiveCount(from, to));
    }
  });

  it('is right high up, where the base primes matter', () => {
    const from = 999_999_000_000;
    expect(countPrimes(from, from + 600)).toBe(naiveCount(from, from + 600));
  });

  it('refuses what it will not sieve', () => {
    expect(validateCountPrimes({ from: 0, to: 10 })).toBeNull();
    expect(validateCountPrimes({ from: 5, to: 5 })).toBeNull();
    expect(validateCountPrimes({ from: 0, to: COUNT_PRIMES_MAX_SPAN })).toBeNull();
    expect(validateCountPrimes({ from: 0, to: COUNT_PRIMES_MAX_SPAN + 1 })).toMatch(/at most/);
    expect(validateCountPrimes({ from: 6, to: 5 })).toMatch(/above/);
    expect(validateCountPrimes({ from: -1, to: 5 })).toMatch(/from/);
    expect(validateCountPrimes({ from: 1.5, to: 5 })).toMatch(/integer/);
    expect(validateCountPrimes({ from: 0, to: '5' })).toMatch(/integer/);
    expect(validateCountPrimes({ from: 0, to: 2e12 })).toMatch(/to must be/);
    expect(validateCountPrimes([0, 5])).toMatch(/takes/);
    expect(validateCountPrimes(null)).toMatch(/takes/);
  });
});
