import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serialQueue';

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
