import { applyRecordChanges, type RecordChanges } from '../core/base/records';

/**
 * Where a protocol's records go: `done` once they are durable (IndexedDB, a file, memory). Writes
 * may overlap; they must complete (call `done`) in the order they were issued.
 */
export interface RecordStore {
  write(changes: RecordChanges, done: () => void): void;
}

/** A store with its records as they stand (what a restarted replica or node reads). */
export interface LoadedRecordStore extends RecordStore {
  readonly records: ReadonlyMap<string, string>;
}

/** The stores an agent keeps, one per protocol, each its own database or file. */
export type RecordStoreName = 'pbft' | 'raft';

/** Records kept in memory only: an agent without storage (they are gone when it stops). */
export function memoryRecordStore(): LoadedRecordStore {
  const records = new Map<string, string>();
  return {
    records,
    write(changes, done) {
      applyRecordChanges(records, changes);
      done();
    },
  };
}
