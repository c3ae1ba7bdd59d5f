import { assert } from '../base/assert';

/**
 * Majority arithmetic shared by membership (split-brain prevention), Raft and pBFT. A strict
 * majority of the same set cannot be held by two disjoint groups, which is the whole point.
 */

/** Smallest count that is a strict majority of `size` members: floor(size / 2) + 1. */
export function majorityOf(size: number): number {
  assert(Number.isInteger(size) && size >= 0, `membership size must be a whole number: ${size}`);
  return Math.floor(size / 2) + 1;
}

/** True when `count` of `size` members is a strict majority. An empty membership has none. */
export function hasMajority(count: number, size: number): boolean {
  if (size === 0) return false;
  return count >= majorityOf(size);
}
