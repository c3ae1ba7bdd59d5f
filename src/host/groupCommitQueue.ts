import type { RecordChanges } from '../core/base/records';
import type { RecordStore } from './recordStore';

type Item = { kind: 'write'; changes: RecordChanges } | { kind: 'run'; action: () => void };

/**
 * A host's effects in order, with group commit: every write and action queued while a write is
 * under way waits, then all the waiting writes go to the store as one change and the waiting
 * actions run after it, in their order. No action runs before a write queued ahead of it is
 * stored (a vote or an acknowledgement never leaves before what it promises), while a busy node
 * pays one store flush for many steps instead of one each.
 */
export class GroupCommitQueue {
  private readonly queue: Item[] = [];
  private writing = false;
  private draining = false;

  /** `afterBatch` runs once the queue has run what it could (a host flushes its sends there). */
  constructor(
    private readonly store: RecordStore,
    private readonly afterBatch: () => void = () => undefined,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  write(changes: RecordChanges): void {
    this.queue.push({ kind: 'write', changes });
    this.drain();
  }

  run(action: () => void): void {
    this.queue.push({ kind: 'run', action });
    this.drain();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.writing && this.queue.length > 0) {
        const head = this.queue[0] as Item;
        if (head.kind === 'run') {
          // Nothing is being stored ahead of it.
          this.queue.shift();
          head.action();
          continue;
        }
        const writes: RecordChanges[] = [];
        const actions: (() => void)[] = [];
        for (const item of this.queue.splice(0)) {
          if (item.kind === 'write') writes.push(item.changes);
          else actions.push(item.action);
        }
        // What ran before this write goes out before it starts, not while it is under way.
        this.afterBatch();
        this.writing = true;
        let returned = false;
        this.store.write(mergeChanges(writes), () => {
          this.writing = false;
          if (!returned) {
            // Stored at once (a map): the loop above goes on after the actions.
            for (const action of actions) action();
            return;
          }
          this.draining = true;
          try {
            for (const action of actions) action();
          } finally {
            this.draining = false;
          }
          this.drain();
        });
        returned = true;
      }
    } finally {
      this.draining = false;
    }
    this.afterBatch();
  }
}

/** Changes applied one after another, as one change (deletes first, then puts, per key). */
export function mergeChanges(changes: readonly RecordChanges[]): RecordChanges {
  if (changes.length === 1) return changes[0] as RecordChanges;
  const last = new Map<string, string | null>();
  for (const change of changes) {
    for (const key of change.deletes) last.set(key, null);
    for (const { key, value } of change.puts) last.set(key, value);
  }
  const puts: RecordChanges['puts'] = [];
  const deletes: string[] = [];
  for (const [key, value] of last) {
    if (value === null) deletes.push(key);
    else puts.push({ key, value });
  }
  return { puts, deletes };
}
