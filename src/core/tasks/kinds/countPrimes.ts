import { asRecord, integerProblem, type TaskKind } from './taskKind';

/** The widest range one task may sieve. */
export const COUNT_PRIMES_MAX_SPAN = 50_000_000;
/** The largest `to`: keeps the base primes (up to its square root, 10^6) small. */
export const COUNT_PRIMES_MAX_TO = 1_000_000_000_000;
/** Numbers sieved per segment: a 256 KiB array stays in a core's cache. */
const SEGMENT = 1 << 18;

export interface CountPrimesInput {
  from: number;
  to: number;
}

export function validateCountPrimes(input: unknown): string | null {
  const record = asRecord(input);
  if (record === null) return 'count-primes takes { from, to }';
  const problem =
    integerProblem('from', record.from, 0, COUNT_PRIMES_MAX_TO) ??
    integerProblem('to', record.to, 0, COUNT_PRIMES_MAX_TO);
  if (problem !== null) return problem;
  const { from, to } = record as unknown as CountPrimesInput;
  if (from > to) return 'from must not be above to';
  if (to - from > COUNT_PRIMES_MAX_SPAN)
    return `to - from must be at most ${COUNT_PRIMES_MAX_SPAN}`;
  return null;
}

/** The number of primes p with from ≤ p < to: a segmented sieve of Eratosthenes. */
export function countPrimes(from: number, to: number): number {
  const low = Math.max(from, 2);
  if (low >= to) return 0;
  const basePrimes = primesUpTo(integerSqrt(to - 1));
  const composite = new Uint8Array(Math.min(SEGMENT, to - low));
  let count = 0;
  for (let segmentLow = low; segmentLow < to; segmentLow += SEGMENT) {
    const length = Math.min(SEGMENT, to - segmentLow);
    composite.fill(0, 0, length);
    const segmentEnd = segmentLow + length;
    for (const p of basePrimes) {
      if (p * p >= segmentEnd) break;
      // The first multiple of p in the segment, but never p itself: below p*p the smaller
      // factor has marked it already. `%` on whole doubles is exact where division is not.
      const remainder = segmentLow % p;
      const first = Math.max(p * p, remainder === 0 ? segmentLow : segmentLow + p - remainder);
      for (let i = first - segmentLow; i < length; i += p) composite[i] = 1;
    }
    for (let i = 0; i < length; i++) if (composite[i] === 0) count++;
  }
  return count;
}

/** floor(sqrt(n)) exactly, for whole n up to 2^53. */
function integerSqrt(n: number): number {
  let root = Math.floor(Math.sqrt(n));
  while (root * root > n) root--;
  while ((root + 1) * (root + 1) <= n) root++;
  return root;
}

/** The primes up to `limit` inclusive, by a plain sieve. */
function primesUpTo(limit: number): number[] {
  const composite = new Uint8Array(limit + 1);
  const primes: number[] = [];
  for (let n = 2; n <= limit; n++) {
    if (composite[n] === 1) continue;
    primes.push(n);
    for (let m = n * n; m <= limit; m += n) composite[m] = 1;
  }
  return primes;
}

export const countPrimesKind: TaskKind = {
  validate: validateCountPrimes,
  run: (input) => {
    const { from, to } = input as CountPrimesInput;
    return countPrimes(from, to);
  },
};
