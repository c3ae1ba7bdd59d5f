import { describe, expect, it } from 'vitest';
import { compareStateVectors } from './syncState';

const sv = (entries: [number, number][]) => new Map(entries);

describe('compareStateVectors', () => {
  it('tells in sync, behind, ahead and diverged apart', () => {
    expect(compareStateVectors(sv([]), sv([]))).toBe('in-sync');
    expect(compareStateVectors(sv([[1, 5]]), sv([[1, 5]]))).toBe('in-sync');
    expect(compareStateVectors(sv([[1, 5]]), sv([[1, 6]]))).toBe('behind');
    expect(compareStateVectors(sv([]), sv([[2, 1]]))).toBe('behind');
    expect(compareStateVectors(sv([[1, 6]]), sv([[1, 5]]))).toBe('ahead');
    expect(compareStateVectors(sv([[1, 6]]), sv([[2, 1]]))).toBe('diverged');
    expect(
      compareStateVectors(
        sv([
          [1, 6],
          [2, 1],
        ]),
        sv([
          [1, 5],
          [2, 2],
        ]),
      ),
    ).toBe('diverged');
    // A client at clock 0 is the same as one never seen.
    expect(compareStateVectors(sv([[3, 0]]), sv([]))).toBe('in-sync');
  });
});
