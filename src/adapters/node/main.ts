import { parseArgs } from 'node:util';
import { shortId } from '../../core/base/ids';
import { createSeededPrng } from '../../core/base/prng';
import { CRDT_LANE_TYPE_CODE } from '../../core/wire/lanes';
import { SharedState } from '../../crdt/sharedState';
import { generateIdentity } from '../webrtc/identity';
import { wallClock } from '../webrtc/wallClock';
import { fileDocPersistence } from './fileDocPersistence';
import { WebRtcMesh } from '../webrtc/webRtcMesh';
import { loadOrCreateFileIdentity } from './fileIdentity';
import { createNodePeer } from './nodePeer';
import { createNodeSocket } from './nodeSocket';

const HELP = `mesh-coordinator Node agent: joins a room as one more agent of the mesh.

  npm run agent -- [--server http://localhost:4444] [--room default] [--identity-file agent.json]
                   [--ice stun:host:3478,...] [--ping-interval-ms 1000] [--status-every-ms 5000]
                   [--state-file state.bin]

Without --identity-file the agent has a fresh identity each run. With --state-file the room's
shared document (memory store included) is kept in that file between runs.`;

/** Composition root of a Node agent: the same WebRtcMesh as a tab, with Node's WebRTC and ws. */
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
  const mesh = new WebRtcMesh(
    identity,
    { room: values.room, signalingUrl, iceServers, links },
    createNodePeer,
    createNodeSocket,
  );
  mesh.onEvent((event) => {
    const peer = event.peer === undefined ? '' : ` ${shortId(event.peer)}`;
    console.log(
      `${new Date(event.atMs).toISOString()} ${event.level} ${event.kind}${peer} ${event.detail ?? ''}`,
    );
  });
  console.log(`agent ${identity.id} joining room ${values.room} via ${signalingUrl}`);
  mesh.start();
  const stateFile = values['state-file'];
  const shared = new SharedState({
    room: values.room,
    selfId: identity.id,
    transport: mesh.openLane(CRDT_LANE_TYPE_CODE),
    clock: wallClock,
    random: createSeededPrng(Math.floor(Math.random() * 2 ** 32)),
    observer: {
      onEvent: (event) => console.log(`${event.level} ${event.kind} ${event.detail ?? ''}`),
    },
    meshSnapshot: () => mesh.snapshot(),
    ...(stateFile === undefined ? {} : { persistence: fileDocPersistence(stateFile) }),
  });
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
    console.log(
      `status: ${open.length} open links, ${snapshot.edges.length} edges known; ${rtts}; ` +
        `memory: ${entries} entries; sync: ${sync}`,
    );
  }, statusEveryMs);
  const stop = () => {
    clearInterval(status);
    shared.stop();
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
