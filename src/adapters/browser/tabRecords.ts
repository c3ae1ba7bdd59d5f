import type { AgentId } from '../../core/base/ids';
import type { LoadedRecordStore, RecordStoreName } from '../../host/recordStore';
import type { Identity } from '../webrtc/identity';
import { loadOrCreateTabIdentity, replaceTabIdentity } from './tabIdentity';

const STORE_NAMES: readonly RecordStoreName[] = ['pbft', 'raft'];

/** Opens one of an agent's record stores (IndexedDB in a page). */
export type OpenRecordStore = (
  room: string,
  selfId: AgentId,
  name: RecordStoreName,
) => Promise<LoadedRecordStore>;

const flagKey = (room: string, id: AgentId, name: RecordStoreName) =>
  `mesh-coordinator/records/${name}/${room}/${id}`;

/**
 * This tab's identity with its pBFT and Raft record stores, opened. The identity lives in
 * sessionStorage and the records in IndexedDB, which a browser may clear apart (storage
 * pressure, a user clearing one of them). A replica or Raft node that comes back under its id
 * without the records it had could vote twice in one term or view, so the tab notes in
 * sessionStorage, beside the identity, which stores hold its records; when one it noted comes
 * back empty, the tab takes a new identity and joins as a new agent.
 */
export async function openTabRecords(
  room: string,
  open: OpenRecordStore,
  storage: Storage = sessionStorage,
): Promise<{ identity: Identity; stores: Map<RecordStoreName, LoadedRecordStore> }> {
  let identity = await loadOrCreateTabIdentity(storage);
  let stores = await openAll(room, identity.id, open, storage);
  const lost = STORE_NAMES.filter(
    (name) =>
      storage.getItem(flagKey(room, identity.id, name)) !== null &&
      (stores.get(name) as LoadedRecordStore).records.size === 0,
  );
  if (lost.length > 0) {
    console.warn(`this tab's ${lost.join(' and ')} records are gone: it joins as a new agent`);
    for (const name of STORE_NAMES) storage.removeItem(flagKey(room, identity.id, name));
    identity = await replaceTabIdentity(storage);
    stores = await openAll(room, identity.id, open, storage);
  }
  return { identity, stores };
}

async function openAll(
  room: string,
  id: AgentId,
  open: OpenRecordStore,
  storage: Storage,
): Promise<Map<RecordStoreName, LoadedRecordStore>> {
  const stores = new Map<RecordStoreName, LoadedRecordStore>();
  for (const name of STORE_NAMES) {
    const store = await open(room, id, name);
    const key = flagKey(room, id, name);
    let noted = storage.getItem(key) !== null;
    stores.set(name, {
      records: store.records,
      write(changes, done) {
        // Noted before the first write lands, so a store that held records is never taken empty.
        if (!noted && changes.puts.length > 0) {
          storage.setItem(key, '1');
          noted = true;
        }
        store.write(changes, done);
      },
    });
  }
  return stores;
}
