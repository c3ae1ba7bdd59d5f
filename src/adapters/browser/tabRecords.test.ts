import { describe, expect, it, vi } from 'vitest';
import { applyRecordChanges } from '../../core/base/records';
import type { LoadedRecordStore } from '../../host/recordStore';
import { openTabRecords, type OpenRecordStore } from './tabRecords';

/** sessionStorage as a map. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

/** IndexedDB as a map of databases, one per room, agent and store. */
function memoryDatabases() {
  const databases = new Map<string, Map<string, string>>();
  const open: OpenRecordStore = async (room, selfId, name) => {
    const key = `${name}/${room}/${selfId}`;
    const records = databases.get(key) ?? new Map<string, string>();
    databases.set(key, records);
    const store: LoadedRecordStore = {
      records,
      write: (changes, done) => {
        applyRecordChanges(records, changes);
        done();
      },
    };
    return store;
  };
  return { databases, open };
}

describe('openTabRecords', () => {
  it('keeps the identity across a reload while its records are there', async () => {
    const storage = memoryStorage();
    const { open } = memoryDatabases();
    const first = await openTabRecords('room', open, storage);
    first.stores.get('raft')!.write({ puts: [{ key: 'term', value: '3' }], deletes: [] }, () => {});
    const again = await openTabRecords('room', open, storage);
    expect(again.identity.id).toBe(first.identity.id);
    expect(again.stores.get('raft')!.records.get('term')).toBe('3');
  });

  it('takes a new identity when records it wrote are gone', async () => {
    const storage = memoryStorage();
    const { databases, open } = memoryDatabases();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const first = await openTabRecords('room', open, storage);
    first.stores.get('pbft')!.write({ puts: [{ key: 'view', value: '1' }], deletes: [] }, () => {});
    databases.clear();
    const after = await openTabRecords('room', open, storage);
    expect(after.identity.id).not.toBe(first.identity.id);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('pbft records are gone'));
    // The new identity starts clean: a reload now keeps it.
    const reloaded = await openTabRecords('room', open, storage);
    expect(reloaded.identity.id).toBe(after.identity.id);
    warn.mockRestore();
  });

  it('an identity that never wrote keeps its id with empty stores', async () => {
    const storage = memoryStorage();
    const { databases, open } = memoryDatabases();
    const first = await openTabRecords('room', open, storage);
    databases.clear();
    expect((await openTabRecords('room', open, storage)).identity.id).toBe(first.identity.id);
  });
});
