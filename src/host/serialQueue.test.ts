import { describe, expect, it } from 'vitest';
import { SerialQueue, startNow } from './serialQueue';

describe('SerialQueue', () => {
  it('runs operations in order, synchronous ones in a loop, asynchronous ones after their done', () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let finishLater: (() => void) | null = null;
    queue.push((done) => {
      log.push('a');
      done();
    });
    queue.push((done) => {
      log.push('b starts');
      finishLater = () => {
        log.push('b ends');
        done();
      };
    });
    queue.push((done) => {
      log.push('c');
      done();
    });
    expect(log).toEqual(['a', 'b starts']);
    expect(queue.length).toBe(1);
    (finishLater as unknown as () => void)();
    expect(log).toEqual(['a', 'b starts', 'b ends', 'c']);
    expect(queue.length).toBe(0);
  });

  it('does not grow the stack with many synchronous operations', () => {
    const queue = new SerialQueue();
    let count = 0;
    for (let i = 0; i < 100_000; i++) queue.push((done) => (count++, done()));
    expect(count).toBe(100_000);
  });
});

describe('startNow', () => {
  it('starts at once and hands the result to a later reader, or to one already waiting', () => {
    let finish: ((value: number) => void) | null = null;
    let started = 0;
    const later = startNow<number>((done) => {
      started++;
      finish = done;
    });
    expect(started).toBe(1);
    const seen: number[] = [];
    later.then((value) => seen.push(value));
    expect(seen).toEqual([]);
    finish!(7);
    expect(seen).toEqual([7]);
    const ready = startNow<number>((done) => done(3));
    ready.then((value) => seen.push(value));
    expect(seen).toEqual([7, 3]);
  });
});
