import { describe, expect, it } from 'vitest';
import { AssertionError } from './assert';
import { BoundedQueue } from './boundedQueue';

describe('BoundedQueue', () => {
  it('is first in, first out', () => {
    const queue = new BoundedQueue<number>(4);
    expect(queue.push(1)).toBe(true);
    expect(queue.push(2)).toBe(true);
    expect(queue.push(3)).toBe(true);
    expect(queue.length).toBe(3);
    expect(queue.peek()).toBe(1);
    expect(queue.shift()).toBe(1);
    expect(queue.shift()).toBe(2);
    expect(queue.shift()).toBe(3);
    expect(queue.length).toBe(0);
  });

  it('refuses and counts pushes past capacity without growing', () => {
    const queue = new BoundedQueue<string>(2);
    expect(queue.push('a')).toBe(true);
    expect(queue.push('b')).toBe(true);
    expect(queue.push('c')).toBe(false);
    expect(queue.push('d')).toBe(false);
    expect(queue.dropped).toBe(2);
    expect(queue.length).toBe(2);
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual(['a', 'b', undefined]);
    // Room again after draining.
    expect(queue.push('e')).toBe(true);
    expect(queue.dropped).toBe(2);
  });

  it('keeps order across many wrap-arounds of the ring', () => {
    const queue = new BoundedQueue<number>(3);
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 100; round++) {
      while (queue.push(next)) next++;
      out.push(queue.shift() as number);
      if (round % 3 === 0) out.push(queue.shift() as number);
    }
    while (queue.length > 0) out.push(queue.shift() as number);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('answers undefined on an empty queue', () => {
    const queue = new BoundedQueue<number>(1);
    expect(queue.shift()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
    expect(queue.length).toBe(0);
  });

  it('stores falsy values faithfully', () => {
    const queue = new BoundedQueue<number | null>(2);
    queue.push(0);
    queue.push(null);
    expect(queue.peek()).toBe(0);
    expect(queue.shift()).toBe(0);
    expect(queue.shift()).toBeNull();
  });

  it('rejects capacities that are not positive integers', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) {
      expect(() => new BoundedQueue(capacity)).toThrow(AssertionError);
    }
  });
});
