import { applyRecordChanges, type RecordChanges } from '../../core/base/records';
import type { AgentId } from '../../core/base/ids';
import type { LoadedRecordStore, RecordStoreName } from '../../host/recordStore';

const STORE = 'records';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

interface Waiting {
  persist: RecordChanges;
  done: () => void;
}

/**
 * A tab's pBFT or Raft records in IndexedDB, one database per store, room and agent. Writes are group-committed:
 * while one read-write transaction (with `durability: 'strict'`, flushed) is under way, the
 * writes that arrive wait and then go together in the next one, in order, so a busy replica pays
 * one flush for many records instead of one each. Each `done` runs once its transaction has
 * committed, in the order the writes were issued, so nothing the replica sends runs ahead of
 * what a reloaded tab reads back. A failed write is reported and its `done` never runs: sending
 * on after a lost write could make the replica vote differently after a reload.
 */
export async function openIndexedDbRecordStore(
  room: string,
  selfId: AgentId,
  name: RecordStoreName,
  onError: (detail: string) => void,
): Promise<LoadedRecordStore> {
  const open = indexedDB.open(`mesh-coordinator/${name}/${room}/${selfId}`, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await request(open);
  const records = new Map<string, string>();
  const read = db.transaction(STORE, 'readonly').objectStore(STORE);
  const [keys, values] = await Promise.all([request(read.getAllKeys()), request(read.getAll())]);
  keys.forEach((key, i) => records.set(String(key), String(values[i])));

  let waiting: Waiting[] = [];
  let committing = false;
  const commitWaiting = () => {
    if (committing || waiting.length === 0) return;
    committing = true;
    const group = waiting;
    waiting = [];
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    const store = tx.objectStore(STORE);
    for (const { persist } of group) {
      for (const key of persist.deletes) store.delete(key);
      for (const { key, value } of persist.puts) store.put(value, key);
    }
    tx.oncomplete = () => {
      committing = false;
      for (const { done } of group) done();
      commitWaiting();
    };
    tx.onerror = () => onError(`${name} record write failed: ${String(tx.error)}`);
    tx.onabort = () => onError(`${name} record write aborted: ${String(tx.error)}`);
  };
  return {
    records,
    write(persist: RecordChanges, done: () => void): void {
      applyRecordChanges(records, persist);
      waiting.push({ persist, done });
      commitWaiting();
    },
  };
}
