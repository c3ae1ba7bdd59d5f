import { startServer, type RunningServer } from '../../../server/startServer';
import { createNodePeer } from '../../adapters/node/nodePeer';
import { createNodeSocket } from '../../adapters/node/nodeSocket';
import { createNodeTaskRunner } from '../../adapters/node/nodeTaskRunner';
import { nodeCapabilities } from '../../adapters/node/nodeCapabilities';
import { memoryRecordStore } from '../../host/recordStore';
import { createMesh } from '../createMesh';
import type { Mesh } from '../mesh';

/** Test support for the Node task tests; nothing outside `*.test.ts` imports it. */

/** Primes p with from <= p < to, the slow way (the oracle). */
export function primesBelow(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(2, from); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
    if (prime) count++;
  }
  return count;
}

/** Resolves once `ready` holds on every agent, checked after each of their events. */
export function whenAll(meshes: Mesh[], ready: (mesh: Mesh) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!meshes.every(ready)) return;
      for (const off of offs) off();
      resolve();
    };
    const offs = meshes.map((m) => m.onEvent(check));
    check();
  });
}

/** Resolves once every agent sees the same Raft leader (the task table needs the ledger). */
export function ledgerFormed(meshes: Mesh[]): Promise<void> {
  const leader = () => meshes[0]?.ledger.status().leader ?? null;
  return whenAll(meshes, (m) => leader() !== null && m.ledger.status().leader === leader());
}

/**
 * Node agents in one room on a signaling server of their own, one worker thread each (the
 * third declares the tag `fast`); `stop` has them leave and closes the server.
 */
export function nodeTaskAgents() {
  let server: RunningServer | null = null;
  const meshes: Mesh[] = [];
  /** Every event kind each agent emitted, from its creation on. */
  const eventKinds = new Map<Mesh, string[]>();
  return {
    eventKinds: (mesh: Mesh): readonly string[] => eventKinds.get(mesh) ?? [],
    async start(count: number, room: string): Promise<Mesh[]> {
      server ??= await startServer({ port: 0, host: '127.0.0.1' });
      for (let i = 0; i < count; i++) {
        const mesh = await createMesh({
          room,
          signalingUrl: `${server.wsUrl}/signal`,
          iceServers: [],
          links: {},
          ledger: { minVoters: 3, addAfterMs: 200 },
          platform: {
            createPeer: createNodePeer,
            createSocket: createNodeSocket,
            openRecordStore: async () => memoryRecordStore(),
            randomSeed: () => 1000 + i,
            createTaskRunner: (selfId) => createNodeTaskRunner({ agent: selfId, workers: 1 }),
            capabilities: () => nodeCapabilities(i === 2 ? ['fast'] : []),
            resolveKindUrl: (url) => url,
            acceptsKindUrl: (url) => url.startsWith('file:'),
          },
        });
        const kinds: string[] = [];
        mesh.onEvent((event) => kinds.push(event.kind));
        eventKinds.set(mesh, kinds);
        meshes.push(mesh);
      }
      await ledgerFormed(meshes);
      return [...meshes];
    },
    async stop(): Promise<void> {
      for (const mesh of meshes.splice(0)) mesh.leave();
      eventKinds.clear();
      await server?.close();
      server = null;
    },
  };
}
