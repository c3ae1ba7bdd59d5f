import { describe, expect, it } from 'vitest';
import { hasMajority, majorityOf } from './majority';

describe('majority', () => {
  it('is floor(n/2)+1', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(majorityOf)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('two disjoint groups never both hold a majority of the same membership', () => {
    for (let size = 1; size <= 40; size++) {
      for (let a = 0; a <= size; a++) {
        for (let b = 0; a + b <= size; b++) {
          expect(hasMajority(a, size) && hasMajority(b, size)).toBe(false);
        }
      }
    }
  });

  it('a 3|2 split gives the 3 a majority and the 2 none; an empty set has none', () => {
    expect(hasMajority(3, 5)).toBe(true);
    expect(hasMajority(2, 5)).toBe(false);
    expect(hasMajority(2, 4)).toBe(false);
    expect(hasMajority(0, 0)).toBe(false);
    expect(hasMajority(1, 1)).toBe(true);
    expect(() => majorityOf(-1)).toThrow();
  });
});
