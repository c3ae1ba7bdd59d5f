import { applyPersist, type PbftPersist } from '../../core/pbft/durability';
import type { AgentId } from '../../core/base/ids';
import type { LoadedPbftStorage } from '../../host/pbftHost';

const STORE = 'records';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * A tab's pBFT records in IndexedDB, one database per room and agent. Each `persist` effect is
 * one read-write transaction; `done` runs when it has committed (with `durability: 'strict'`,
 * flushed), so nothing the replica sends runs ahead of what a reloaded tab reads back. A failed
 * write is reported and the replica's queue stops there: sending on after a lost write could
 * make it vote differently after a reload.
 */
export async function openIndexedDbPbftStorage(
  room: string,
  selfId: AgentId,
  onError: (detail: string) => void,
): Promise<LoadedPbftStorage> {
  const open = indexedDB.open(`mesh-coordinator/pbft/${room}/${selfId}`, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await request(open);
  const records = new Map<string, string>();
  const read = db.transaction(STORE, 'readonly').objectStore(STORE);
  const [keys, values] = await Promise.all([request(read.getAllKeys()), request(read.getAll())]);
  keys.forEach((key, i) => records.set(String(key), String(values[i])));
  return {
    records,
    write(persist: PbftPersist, done: () => void): void {
      applyPersist(records, persist);
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      const store = tx.objectStore(STORE);
      for (const key of persist.deletes) store.delete(key);
      for (const { key, value } of persist.puts) store.put(value, key);
      tx.oncomplete = () => done();
      tx.onerror = () => onError(`pBFT record write failed: ${String(tx.error)}`);
      tx.onabort = () => onError(`pBFT record write aborted: ${String(tx.error)}`);
    },
  };
}
