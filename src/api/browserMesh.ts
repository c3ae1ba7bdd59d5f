import { createBrowserPeer } from '../adapters/browser/browserPeer';
import { indexedDbPersistence } from '../adapters/browser/indexedDbPersistence';
import { openIndexedDbRecordStore } from '../adapters/browser/indexedDbRecordStore';
import { meshOptionsFromLocation } from '../adapters/browser/meshOptions';
import { openTabRecords } from '../adapters/browser/tabRecords';
import { NAMESPACE_PATTERN } from '../crdt/memory/limits';
import { createMesh } from './createMesh';
import { createBrowserTaskRunner } from '../adapters/browser/browserTaskRunner';
import { browserCapabilities } from '../adapters/browser/browserCapabilities';
import { TASK_MAX_WORKERS } from '../core/tasks/kinds/taskLimits';
import type { CreateMeshOptions, Mesh } from './mesh';

/**
 * A page's agent, set up from its address: `?room=`, `?signaling=`, `?ice=` / `?iceServers=`,
 * `?pingIntervalMs=` (adapters/browser/meshOptions.ts), `?agreed=a,b` (memory namespaces whose
 * writes commit through pBFT; default `critical`), `?raftAgreed=a,b` (through Raft; default
 * `ledger`), `?replicas=N` (agreed members needed before the first replica set forms; default
 * 4), `?maxReplicas=N` (the set grows by live
 * members up to N; default 16), `?removeAfterMs=` / `?addAfterMs=` (how long a replica must be
 * gone before it is voted out, default 30000, and a member alive before it is voted in,
 * default 3000) and `?pbftBatch=N` (most requests per pBFT batch, 1-64; default 64; 1 is
 * unbatched, as the browser bench measures it), `?workers=N` (task workers, 1-16; default
 * `hardwareConcurrency` up to 4) and `?tags=a,b` (capability tags it offers task auctions). Its
 * identity and records survive a reload.
 */
export async function createBrowserMesh(
  location: Location,
  extra: Partial<CreateMeshOptions> = {},
): Promise<Mesh> {
  const options = meshOptionsFromLocation(location);
  const params = new URLSearchParams(location.search);
  const critical: NonNullable<CreateMeshOptions['critical']> = {};
  const integer = (name: string, min: number, max: number, what: string): number | undefined => {
    const text = params.get(name);
    if (text === null) return undefined;
    const value = Number(text);
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
      throw new Error(`${name} must be an integer from ${min} to ${max} (${what})`);
    }
    return value;
  };
  const minReplicas = integer('replicas', 1, 16, 'agreed members the first replica set needs');
  if (minReplicas !== undefined) critical.minReplicas = minReplicas;
  const maxReplicas = integer('maxReplicas', 1, 16, 'the most replicas the set grows to');
  if (maxReplicas !== undefined) critical.maxReplicas = maxReplicas;
  const removeAfterMs = integer('removeAfterMs', 0, 3_600_000, 'ms a gone replica stays in');
  if (removeAfterMs !== undefined) critical.removeAfterMs = removeAfterMs;
  const addAfterMs = integer('addAfterMs', 0, 3_600_000, 'ms a new member waits to be added');
  if (addAfterMs !== undefined) critical.addAfterMs = addAfterMs;
  const taskWorkers = integer('workers', 1, TASK_MAX_WORKERS, 'task workers in this tab');
  const taskTags = (params.get('tags') ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '')
    .slice(0, 16);
  const pbftBatch = integer('pbftBatch', 1, 64, 'requests per pBFT batch');
  if (pbftBatch !== undefined) critical.pbft = { maxBatchRequests: pbftBatch };
  const namespaces = (name: string): string[] | undefined => {
    const text = params.get(name);
    if (text === null) return undefined;
    const list = text === '' ? [] : text.split(',').map((namespace) => namespace.trim());
    for (const namespace of list) {
      if (!NAMESPACE_PATTERN.test(namespace))
        throw new Error(`${name}: namespace ${namespace} is not valid`);
    }
    return list;
  };
  const agreedNamespaces = namespaces('agreed');
  const raftNamespaces = namespaces('raftAgreed');
  const onStorageError = (detail: string) => console.error(detail);
  const { identity, stores } = await openTabRecords(options.room, (room, selfId, name) =>
    openIndexedDbRecordStore(room, selfId, name, onStorageError),
  );
  return createMesh({
    ...options,
    identity,
    awareness: true,
    critical,
    ...(agreedNamespaces === undefined ? {} : { agreedNamespaces }),
    ...(raftNamespaces === undefined ? {} : { raftNamespaces }),
    platform: {
      createPeer: createBrowserPeer,
      docPersistence: indexedDbPersistence(options.room),
      openRecordStore: async (room, selfId, name) => {
        const store = stores.get(name);
        if (room !== options.room || selfId !== identity.id || store === undefined)
          throw new Error(`no ${name} store opened for ${selfId} in ${room}`);
        return store;
      },
      randomSeed: () => crypto.getRandomValues(new Uint32Array(1))[0] as number,
      createTaskRunner: (selfId) =>
        createBrowserTaskRunner({
          agent: selfId,
          ...(taskWorkers === undefined ? {} : { workers: taskWorkers }),
        }),
      capabilities: () => browserCapabilities(taskTags),
      resolveKindUrl: (url) => new URL(url, location.href).href,
      acceptsKindUrl: (url) => {
        try {
          return new URL(url).origin === location.origin;
        } catch {
          return false;
        }
      },
    },
    ...extra,
  });
}
