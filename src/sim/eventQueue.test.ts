import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../core/base/prng';
import { EventQueue } from './eventQueue';
import { Scheduler } from './scheduler';

interface Item {
  atMs: number;
  seq: number;
  label: number;
}

describe('EventQueue', () => {
  it('pops in time order, ties in the order they were pushed', () => {
    const queue = new EventQueue<Item>();
    const push = (atMs: number, label: number) => queue.push({ atMs, seq: -1, label });
    push(5, 1);
    push(1, 2);
    push(5, 3);
    push(0, 4);
    push(1, 5);
    const out: number[] = [];
    while (queue.size > 0) out.push(queue.pop()?.label ?? -1);
    expect(out).toEqual([4, 2, 5, 1, 3]);
    expect(queue.pop()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });

  it('matches a stable sort under random interleaved pushes and pops', () => {
    const prng = createSeededPrng(31);
    const queue = new EventQueue<Item>();
    const pending: Item[] = [];
    const popped: Item[] = [];
    const expected: Item[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (prng.nextInt(3) > 0 || pending.length === 0) {
        // Few distinct times, so ties are common.
        const item = { atMs: prng.nextInt(50), seq: -1, label: i };
        queue.push(item);
        pending.push(item);
      } else {
        pending.sort((x, y) => x.atMs - y.atMs || x.seq - y.seq);
        expected.push(pending.shift() as Item);
        popped.push(queue.pop() as Item);
      }
    }
    expect(popped.map((x) => x.label)).toEqual(expected.map((x) => x.label));
  });
});

describe('Scheduler', () => {
  it('moves the clock to each event, skips cancelled ones, and stops at the horizon', () => {
    const scheduler = new Scheduler();
    const seen: number[] = [];
    scheduler.at(10, () => seen.push(10));
    const cancelled = scheduler.at(20, () => seen.push(20));
    scheduler.at(30, () => seen.push(30));
    cancelled.cancelled = true;
    for (let e = scheduler.next(25); e !== undefined; e = scheduler.next(25)) {
      expect(scheduler.nowMs()).toBe(e.atMs);
      e.callback?.();
    }
    expect(seen).toEqual([10]);
    expect(scheduler.nowMs()).toBe(25);
    expect(scheduler.pending).toBe(1);
  });

  it('clamps events scheduled in the past to now', () => {
    const scheduler = new Scheduler();
    scheduler.next(100);
    const event = scheduler.at(50, () => {});
    expect(event.atMs).toBe(100);
    expect(() => scheduler.clock.advanceTo(99)).toThrow('cannot go back');
  });
});
