import { parseArgs } from 'node:util';
import { shortId } from '../../core/base/ids';
import { createMesh } from '../../api/createMesh';
import { memoryRecordStore } from '../../host/recordStore';
import { generateIdentity } from '../webrtc/identity';
import { fileDocPersistence } from './fileDocPersistence';
import { FileRecordStore } from './fileRecordStore';
import { loadOrCreateFileIdentity } from './fileIdentity';
import { createNodePeer } from './nodePeer';
import { createNodeTaskRunner } from './nodeTaskRunner';
import { nodeCapabilities } from './nodeCapabilities';
import { createNodeSocket } from './nodeSocket';

const HELP = `mesh-coordinator Node agent: joins a room as one more agent of the mesh.

  npm run agent -- [--server http://localhost:4444] [--room default] [--identity-file agent.json]
                   [--ice stun:host:3478,...] [--ping-interval-ms 1000] [--status-every-ms 5000]
                   [--state-file state.bin] [--pbft-file pbft.log] [--raft-file raft.log]
                   [--replicas 4] [--workers N] [--tags a,b]
                   [--max-replicas 16] [--remove-after-ms 30000] [--add-after-ms 3000]

Without --identity-file the agent has a fresh identity each run. With --state-file the room's
shared document (memory store included) is kept in that file between runs; with --pbft-file
its pBFT replica's records, with --raft-file its Raft node's (keep both with the identity file:
they belong to that identity; a Raft node that lost its records must not come back under its id).
--replicas: agreed members needed before the first replica set forms. After it forms, the set
grows by live members up to --max-replicas (voted in after --add-after-ms alive), and a replica
gone for --remove-after-ms is voted out. --workers: worker threads that run task kinds (default
the cores, up to 4); --tags: capability tags it offers task auctions.`;

/** A whole-number flag from `min` up, or undefined when not given. */
function integerFlag(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
}

/** Composition root of a Node agent: the same createMesh as a tab, with Node's WebRTC and ws. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string', default: 'http://localhost:4444' },
      room: { type: 'string', default: 'default' },
      'identity-file': { type: 'string' },
      ice: { type: 'string' },
      'ping-interval-ms': { type: 'string' },
      'status-every-ms': { type: 'string', default: '5000' },
      'state-file': { type: 'string' },
      'pbft-file': { type: 'string' },
      'raft-file': { type: 'string' },
      replicas: { type: 'string' },
      'max-replicas': { type: 'string' },
      'remove-after-ms': { type: 'string' },
      'add-after-ms': { type: 'string' },
      workers: { type: 'string' },
      tags: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const signalingUrl = `${values.server.replace(/^http/, 'ws').replace(/\/$/, '')}/signal`;
  if (!/^wss?:\/\//.test(signalingUrl))
    throw new Error('--server must be an http(s):// or ws(s):// URL');
  const links: { pingIntervalMs?: number } = {};
  if (values['ping-interval-ms'] !== undefined)
    links.pingIntervalMs = Number(values['ping-interval-ms']);
  const identity =
    values['identity-file'] === undefined
      ? (await generateIdentity()).identity
      : await loadOrCreateFileIdentity(values['identity-file']);
  const iceServers = values.ice === undefined ? [] : [{ urls: values.ice.split(',') }];
  const stateFile = values['state-file'];
  const recordFiles = { pbft: values['pbft-file'], raft: values['raft-file'] };
  const critical: NonNullable<Parameters<typeof createMesh>[0]['critical']> = {};
  const minReplicas = integerFlag(values.replicas, 'replicas', 1);
  if (minReplicas !== undefined) critical.minReplicas = minReplicas;
  const maxReplicas = integerFlag(values['max-replicas'], 'max-replicas', 1);
  if (maxReplicas !== undefined) critical.maxReplicas = maxReplicas;
  const removeAfterMs = integerFlag(values['remove-after-ms'], 'remove-after-ms', 0);
  if (removeAfterMs !== undefined) critical.removeAfterMs = removeAfterMs;
  const addAfterMs = integerFlag(values['add-after-ms'], 'add-after-ms', 0);
  if (addAfterMs !== undefined) critical.addAfterMs = addAfterMs;
  const workers = integerFlag(values.workers, 'workers', 1);
  const tags = (values.tags ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  const mesh = await createMesh({
    room: values.room,
    signalingUrl,
    iceServers,
    links,
    identity,
    critical,
    platform: {
      createPeer: createNodePeer,
      createSocket: createNodeSocket,
      ...(stateFile === undefined ? {} : { docPersistence: fileDocPersistence(stateFile) }),
      openRecordStore: async (_room, _selfId, name) => {
        const file = recordFiles[name];
        return file === undefined ? memoryRecordStore() : new FileRecordStore(file);
      },
      randomSeed: () => Math.floor(Math.random() * 2 ** 32),
      createTaskRunner: (selfId) =>
        createNodeTaskRunner({
          agent: selfId,
          ...(workers === undefined ? {} : { workers }),
        }),
      capabilities: () => nodeCapabilities(tags),
      resolveKindUrl: (url) => url,
      // Modules the agent's own server serves (the room's pages load theirs from there too).
      acceptsKindUrl: (url) => {
        try {
          return new URL(url).origin === new URL(values.server).origin;
        } catch {
          return false;
        }
      },
    },
  });
  mesh.onEvent((event) => {
    const peer = event.peer === undefined ? '' : ` ${shortId(event.peer)}`;
    console.log(
      `${new Date(event.atMs).toISOString()} ${event.level} ${event.kind}${peer} ${event.detail ?? ''}`,
    );
  });
  console.log(`agent ${identity.id} joining room ${values.room} via ${signalingUrl}`);
  const shared = mesh.shared;
  const statusEveryMs = Number(values['status-every-ms']);
  const status = setInterval(() => {
    const snapshot = mesh.snapshot();
    const open = snapshot.links.filter((link) => link.state === 'open');
    const rtts = open
      .map((link) => `${shortId(link.peer)}:${link.rttMs?.toFixed(1) ?? '-'}ms`)
      .join(' ');
    const entries = shared.memory.namespaces().reduce((sum, n) => sum + n.count, 0);
    const sync = shared.sync
      .peerStates()
      .map((p) => `${shortId(p.peer)}:${p.state}`)
      .join(' ');
    const pbft = mesh.critical.status();
    console.log(
      `status: ${open.length} open links, ${snapshot.edges.length} edges known; ${rtts}; ` +
        `memory: ${entries} entries; sync: ${sync}; ` +
        `pbft: n=${pbft.n} epoch=${pbft.epoch} view=${pbft.viewInEpoch} ` +
        `executed=${pbft.lastExecutedSeq}`,
    );
  }, statusEveryMs);
  const stop = () => {
    clearInterval(status);
    mesh.leave();
    // Let the bye frames leave before the process ends.
    setTimeout(() => process.exit(0), 200);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
