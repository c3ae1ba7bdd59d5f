import { describe, expect, it } from 'vitest';
import type { RecordChanges } from '../core/base/records';
import { GroupCommitQueue, mergeChanges } from './groupCommitQueue';

const put = (key: string, value = 'v'): RecordChanges => ({ puts: [{ key, value }], deletes: [] });

/** A store whose writes finish when the test says. */
function slowStore() {
  const writes: { changes: RecordChanges; done: () => void }[] = [];
  return {
    writes,
    store: { write: (changes: RecordChanges, done: () => void) => writes.push({ changes, done }) },
  };
}

describe('GroupCommitQueue', () => {
  it('holds actions behind the write queued before them, and groups the writes that wait', () => {
    const { writes, store } = slowStore();
    const queue = new GroupCommitQueue(store);
    const log: string[] = [];
    queue.write(put('a'));
    queue.run(() => log.push('after a'));
    queue.write(put('b'));
    queue.run(() => log.push('after b'));
    queue.write(put('c'));
    queue.run(() => log.push('after c'));
    expect(writes).toHaveLength(1);
    expect(log).toEqual([]);
    writes[0]!.done();
    expect(log).toEqual(['after a']);
    // b and c waited together: one write for both, their actions after it, in order.
    expect(writes).toHaveLength(2);
    expect(writes[1]!.changes.puts.map((p) => p.key)).toEqual(['b', 'c']);
    writes[1]!.done();
    expect(log).toEqual(['after a', 'after b', 'after c']);
  });

  it('runs actions queued by actions in program order, with a store that finishes at once', () => {
    const stored: string[] = [];
    const queue = new GroupCommitQueue({
      write: (changes, done) => {
        stored.push(...changes.puts.map((p) => p.key));
        done();
      },
    });
    const log: string[] = [];
    queue.run(() => {
      log.push('first');
      queue.write(put('x'));
      queue.run(() => log.push('third'));
    });
    queue.run(() => log.push('second'));
    // 'third' was queued while 'first' ran, before 'second' was.
    expect(log).toEqual(['first', 'third', 'second']);
    expect(stored).toEqual(['x']);
    expect(queue.length).toBe(0);
  });
});

describe('mergeChanges', () => {
  it('is the changes applied one after another', () => {
    expect(
      mergeChanges([
        { puts: [{ key: 'k', value: '1' }], deletes: ['gone'] },
        { puts: [{ key: 'gone', value: 'back' }], deletes: ['k'] },
        { puts: [{ key: 'k', value: '2' }], deletes: ['k'] },
      ]),
    ).toEqual({
      puts: [
        { key: 'gone', value: 'back' },
        { key: 'k', value: '2' },
      ],
      deletes: [],
    });
  });
});
