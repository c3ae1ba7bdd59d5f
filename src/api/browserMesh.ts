import { createBrowserPeer } from '../adapters/browser/browserPeer';
import { indexedDbPersistence } from '../adapters/browser/indexedDbPersistence';
import { openIndexedDbPbftStorage } from '../adapters/browser/indexedDbPbftStorage';
import { meshOptionsFromLocation } from '../adapters/browser/meshOptions';
import { loadOrCreateTabIdentity } from '../adapters/browser/tabIdentity';
import { NAMESPACE_PATTERN } from '../crdt/memory/limits';
import { createMesh } from './createMesh';
import type { CreateMeshOptions, Mesh } from './mesh';

/**
 * A page's agent, set up from its address: `?room=`, `?signaling=`, `?ice=` / `?iceServers=`,
 * `?pingIntervalMs=` (adapters/browser/meshOptions.ts), `?agreed=a,b` (memory namespaces whose
 * writes commit through pBFT; default `critical`), `?replicas=N` (agreed members needed
 * before the first replica set forms; default 4) and `?pbftBatch=N` (most requests per pBFT
 * batch, 1-64; default 64; 1 is unbatched, as the browser bench measures it). Its identity and
 * records survive a reload.
 */
export async function createBrowserMesh(
  location: Location,
  extra: Partial<CreateMeshOptions> = {},
): Promise<Mesh> {
  const options = meshOptionsFromLocation(location);
  const params = new URLSearchParams(location.search);
  const critical: NonNullable<CreateMeshOptions['critical']> = {};
  const replicas = params.get('replicas');
  if (replicas !== null) {
    const value = Number(replicas);
    if (!(Number.isInteger(value) && value >= 1 && value <= 16)) {
      throw new Error('replicas must be an integer from 1 to 16');
    }
    critical.minReplicas = value;
  }
  const pbftBatch = params.get('pbftBatch');
  if (pbftBatch !== null) {
    const value = Number(pbftBatch);
    if (!(Number.isInteger(value) && value >= 1 && value <= 64)) {
      throw new Error('pbftBatch must be an integer from 1 to 64 (requests per pBFT batch)');
    }
    critical.pbft = { maxBatchRequests: value };
  }
  const agreed = params.get('agreed');
  let agreedNamespaces: string[] | undefined;
  if (agreed !== null) {
    agreedNamespaces = agreed.split(',').map((name) => name.trim());
    for (const name of agreedNamespaces) {
      if (!NAMESPACE_PATTERN.test(name)) throw new Error(`agreed namespace ${name} is not valid`);
    }
  }
  const onStorageError = (detail: string) => console.error(detail);
  return createMesh({
    ...options,
    identity: await loadOrCreateTabIdentity(),
    awareness: true,
    critical,
    ...(agreedNamespaces === undefined ? {} : { agreedNamespaces }),
    platform: {
      createPeer: createBrowserPeer,
      docPersistence: indexedDbPersistence(options.room),
      openPbftStorage: (room, selfId) => openIndexedDbPbftStorage(room, selfId, onStorageError),
      randomSeed: () => crypto.getRandomValues(new Uint32Array(1))[0] as number,
    },
    ...extra,
  });
}
