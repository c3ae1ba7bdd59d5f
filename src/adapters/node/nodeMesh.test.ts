import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/startServer';
import type { MeshEvent } from '../../host/ports';
import { generateIdentity } from '../webrtc/identity';
import type { SignalingSocket, SocketFactory } from '../webrtc/signalingClient';
import { WebRtcMesh, type MeshOptions } from '../webrtc/webRtcMesh';
import { createNodePeer } from './nodePeer';
import { createNodeSocket } from './nodeSocket';

/** Resolves with the first event of `mesh` that matches; no polling, no sleeps. */
function nextEvent(mesh: WebRtcMesh, matches: (event: MeshEvent) => boolean): Promise<MeshEvent> {
  return new Promise((resolve) => {
    const off = mesh.onEvent((event) => {
      if (!matches(event)) return;
      off();
      resolve(event);
    });
  });
}

function linkUpsFrom(mesh: WebRtcMesh, peers: string[]): Promise<void> {
  const waiting = new Set(peers);
  return new Promise((resolve) => {
    const off = mesh.onEvent((event) => {
      if (event.kind === 'link-up' && event.peer !== undefined) waiting.delete(event.peer);
      if (waiting.size === 0) {
        off();
        resolve();
      }
    });
  });
}

/** A signaling socket that loses the frames this agent sends for which `lose` says so. */
function lossySocket(lose: (frame: { type?: string; data?: Record<string, unknown> }) => boolean) {
  const factory: SocketFactory = (url) => {
    const socket = createNodeSocket(url);
    const send = socket.send.bind(socket);
    socket.send = (text: string) => {
      if (!lose(JSON.parse(text) as { type?: string; data?: Record<string, unknown> })) send(text);
    };
    return socket;
  };
  return factory;
}

/** A signaling socket that can be cut off the server for good, as when its network drops. */
function switchableSocket() {
  let cut = false;
  let current: SignalingSocket | null = null;
  const factory: SocketFactory = (url) => {
    // Port 9 (discard) is closed on loopback: every reconnect attempt fails at once.
    current = createNodeSocket(cut ? 'ws://127.0.0.1:9/signal' : url);
    return current;
  };
  return {
    factory,
    cut() {
      cut = true;
      current?.close();
    },
  };
}

/** A signaling socket that only starts connecting after `delayMs`, as on a slow network. */
function lateSocket(delayMs: number): SocketFactory {
  return (url) => {
    let real: SignalingSocket | null = null;
    const shell: SignalingSocket = {
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      send: (text) => real?.send(text),
      close: (code, reason) => {
        clearTimeout(connectLater);
        real?.close(code, reason);
      },
    };
    const connectLater = setTimeout(() => {
      real = createNodeSocket(url);
      real.onopen = (event) => shell.onopen?.(event);
      real.onmessage = (event) => shell.onmessage?.(event);
      real.onclose = (event) => shell.onclose?.(event);
      real.onerror = (event) => shell.onerror?.(event);
    }, delayMs);
    return shell;
  };
}

/** Fast retries, so a lost signal costs a fraction of a second, not the defaults' seconds. */
const FAST_RETRIES: MeshOptions['transport'] = {
  aloneAnnounceMs: 200,
  handshakeTimeoutMs: 1500,
  answerTimeoutMs: 1000,
  reconnectBaseMs: 100,
  reconnectMaxMs: 400,
};

/** Starts every agent and resolves when each has a link up to every other. */
async function startFullMesh(all: WebRtcMesh[]): Promise<void> {
  const meshed = all.map((mesh) =>
    linkUpsFrom(
      mesh,
      all.filter((other) => other !== mesh).map((other) => other.selfId),
    ),
  );
  for (const mesh of all) mesh.start();
  await Promise.all(meshed);
}

describe('Node agents over real WebRTC', () => {
  let server: RunningServer | null = null;
  const meshes: WebRtcMesh[] = [];

  afterEach(async () => {
    for (const mesh of meshes.splice(0)) mesh.leave();
    await server?.close();
    server = null;
  });

  async function agents(
    count: number,
    room: string,
    links = {},
    socket: SocketFactory = createNodeSocket,
    siblingChannel = false,
  ): Promise<WebRtcMesh[]> {
    server ??= await startServer({ port: 0, host: '127.0.0.1' });
    const signalingUrl = `${server.wsUrl}/signal`;
    const created: WebRtcMesh[] = [];
    for (let i = 0; i < count; i++) {
      const { identity } = await generateIdentity();
      const mesh = new WebRtcMesh(
        identity,
        { room, signalingUrl, iceServers: [], links, transport: FAST_RETRIES, siblingChannel },
        createNodePeer,
        socket,
      );
      created.push(mesh);
      meshes.push(mesh);
    }
    return created;
  }

  it('three agents in one process form a full, authenticated mesh and see every edge', async () => {
    const [a, b, c] = await agents(3, 'node-full');
    const all = [a!, b!, c!];
    await startFullMesh(all);
    for (const mesh of all) {
      const snapshot = mesh.snapshot();
      expect(snapshot.links.filter((link) => link.state === 'open')).toHaveLength(2);
      expect(snapshot.stats.handshakeFailures).toBe(0);
    }
    // Edges between the other two arrive by advert.
    await expect.poll(() => a!.snapshot().edges.length).toBe(3);
  });

  it('a peer that leaves is dropped at once with the reason, and a cut link times out', async () => {
    const [a, b, c] = await agents(3, 'node-leave', { pingIntervalMs: 100, linkTimeoutMs: 600 });
    const all = [a!, b!, c!];
    await startFullMesh(all);

    const byeSeen = nextEvent(
      a!,
      (event) => event.kind === 'link-down' && event.peer === c!.selfId,
    );
    c!.leave();
    expect((await byeSeen).detail).toBe('peer said bye');

    // Cut a <-> b in a's fault layer: no frame passes either way, so both sides time out.
    const silentOnA = nextEvent(
      a!,
      (event) => event.kind === 'link-down' && event.peer === b!.selfId,
    );
    const silentOnB = nextEvent(
      b!,
      (event) => event.kind === 'link-down' && event.peer === a!.selfId,
    );
    a!.setFault(b!.selfId, { cut: true, dropRate: 0, delayMs: 0 });
    expect((await silentOnA).detail).toMatch(/^silent for \d+ ms$|^data channel closed$/);
    expect((await silentOnB).detail).toMatch(/^silent for \d+ ms$|^data channel closed$/);
  });

  it('a link that drops under injected loss reconnects with the same fault, until a heal clears it', async () => {
    const [a, b] = await agents(2, 'node-fault', { pingIntervalMs: 100, linkTimeoutMs: 600 });
    await startFullMesh([a!, b!]);
    const down = nextEvent(a!, (e) => e.kind === 'link-down' && e.peer === b!.selfId);
    a!.setFault(b!.selfId, { cut: false, dropRate: 1, delayMs: 20 });
    await down;
    await nextEvent(a!, (e) => e.kind === 'connecting' && e.peer === b!.selfId);
    const again = a!.snapshot().links.find((link) => link.peer === b!.selfId);
    expect(again?.fault).toEqual({ cut: false, dropRate: 1, delayMs: 20 });
    const back = nextEvent(a!, (e) => e.kind === 'link-up' && e.peer === b!.selfId);
    a!.commands.heal();
    await back;
    expect(a!.snapshot().links.find((link) => link.peer === b!.selfId)?.fault).toEqual({
      cut: false,
      dropRate: 0,
      delayMs: 0,
    });
  });

  it('an agent whose announce is lost still links to the linked agents of its room', async () => {
    const [a, c] = await agents(2, 'node-lost-announce');
    await startFullMesh([a!, c!]);
    // The joiner's first announce never reaches the server; the two others are linked to each
    // other, so nobody else has a reason to announce.
    let lost = 0;
    const [b] = await agents(
      1,
      'node-lost-announce',
      {},
      lossySocket((frame) => frame.data?.['type'] === 'announce' && lost++ === 0),
    );
    const linked = Promise.all([
      linkUpsFrom(b!, [a!.selfId, c!.selfId]),
      linkUpsFrom(a!, [b!.selfId]),
      linkUpsFrom(c!, [b!.selfId]),
    ]);
    b!.start();
    await linked;
    expect(lost).toBeGreaterThan(1);
  });

  it('a link whose first offer or answer was lost comes up on the retry', async () => {
    let lost = 0;
    const loseFirstSdp = lossySocket((frame) => {
      const signal = frame.data?.['signal'] as { type?: string } | undefined;
      return (signal?.type === 'offer' || signal?.type === 'answer') && lost++ === 0;
    });
    const [a] = await agents(1, 'node-lost-sdp', {}, loseFirstSdp);
    const [b] = await agents(1, 'node-lost-sdp', {}, loseFirstSdp);
    await startFullMesh([a!, b!]);
    expect(lost).toBeGreaterThan(1);
    expect(a!.snapshot().links.filter((link) => link.state === 'open')).toHaveLength(1);
  });

  it('a heal issued while the issuer is off the signaling server reaches the far side of the partition, and every agent acks it', async () => {
    const links = { pingIntervalMs: 100, linkTimeoutMs: 600 };
    const offline = switchableSocket();
    const [a] = await agents(1, 'node-chaos-paths', links, offline.factory);
    const [b, c] = await agents(2, 'node-chaos-paths', links);
    await startFullMesh([a!, b!, c!]);
    const cutOff = Promise.all([
      nextEvent(a!, (e) => e.kind === 'link-down' && e.peer === c!.selfId),
      nextEvent(b!, (e) => e.kind === 'link-down' && e.peer === c!.selfId),
    ]);
    b!.commands.partition([[a!.selfId, b!.selfId], [c!.selfId]]);
    await cutOff;
    offline.cut();
    await expect.poll(() => a!.snapshot().signaling.state).not.toBe('open');

    // a reaches b over their link; c only through b's retry copies, published by b.
    const healed = Promise.all([
      linkUpsFrom(a!, [c!.selfId]),
      linkUpsFrom(b!, [c!.selfId]),
      linkUpsFrom(c!, [a!.selfId, b!.selfId]),
    ]);
    a!.commands.heal();
    await healed;
    const all = [a!.selfId, b!.selfId, c!.selfId].sort();
    await expect
      .poll(() => a!.snapshot().chaos.lastCommand)
      .toMatchObject({
        kind: 'heal',
        issuer: a!.selfId,
        applied: all,
        awaiting: [],
        gaveUp: false,
      });
    for (const mesh of [a!, b!, c!]) expect(mesh.snapshot().chaos.partition).toBeNull();
  });

  it('a sibling that announced before its socket opened is answered over the sibling channel', async () => {
    const room = `node-sibling-${Date.now()}`;
    const [a] = await agents(1, room, {}, createNodeSocket, true);
    a!.start();
    await expect.poll(() => a!.snapshot().signaling.state).toBe('open');
    // b's socket opens only after 20 s: it hears nothing from the server before then.
    const [b] = await agents(1, room, {}, lateSocket(20_000), true);
    const up = Promise.all([linkUpsFrom(a!, [b!.selfId]), linkUpsFrom(b!, [a!.selfId])]);
    b!.start();
    await up;
    expect(b!.snapshot().signaling.state).not.toBe('open');
  });

  it('refuses an impostor announcing the id of another agent, and logs why', async () => {
    const [honest] = await agents(1, 'node-impostor');
    const { identity: victim } = await generateIdentity();
    const { identity: attacker } = await generateIdentity();
    // The impostor claims the victim's id but can only sign with its own key.
    const impostor = new WebRtcMesh(
      { id: victim.id, privateKey: attacker.privateKey },
      { room: 'node-impostor', signalingUrl: `${server!.wsUrl}/signal`, iceServers: [], links: {} },
      createNodePeer,
      createNodeSocket,
    );
    meshes.push(impostor);
    const refused = nextEvent(honest!, (event) => event.kind === 'handshake-failed');
    honest!.start();
    impostor.start();
    const event = await refused;
    expect(event.peer).toBe(victim.id);
    expect(event.detail).toMatch(/signature does not match this connection/);
    expect(honest!.snapshot().links.filter((link) => link.state === 'open')).toHaveLength(0);
    expect(honest!.snapshot().stats.handshakeFailures).toBeGreaterThanOrEqual(1);
  });

  it('a partition command cuts the mesh into its groups everywhere, and heal brings the links back', async () => {
    const [a, b, c] = await agents(3, 'node-chaos', { pingIntervalMs: 100, linkTimeoutMs: 600 });
    await startFullMesh([a!, b!, c!]);
    const groups = [[a!.selfId], [b!.selfId, c!.selfId]];
    const aLosesB = nextEvent(a!, (e) => e.kind === 'link-down' && e.peer === b!.selfId);
    const aLosesC = nextEvent(a!, (e) => e.kind === 'link-down' && e.peer === c!.selfId);
    const cLosesA = nextEvent(c!, (e) => e.kind === 'link-down' && e.peer === a!.selfId);
    b!.commands.partition(groups);
    await Promise.all([aLosesB, aLosesC, cLosesA]);
    expect(a!.snapshot().chaos.partition).toEqual([[a!.selfId], [b!.selfId, c!.selfId]]);
    expect(c!.snapshot().chaos.partition).toEqual([[b!.selfId, c!.selfId], [a!.selfId]]);
    // b and c stay linked on their side.
    expect(b!.snapshot().links.find((l) => l.peer === c!.selfId)?.state).toBe('open');

    const healed = Promise.all([
      linkUpsFrom(a!, [b!.selfId, c!.selfId]),
      linkUpsFrom(b!, [a!.selfId]),
      linkUpsFrom(c!, [a!.selfId]),
    ]);
    c!.commands.heal();
    await healed;
    for (const mesh of [a!, b!, c!]) expect(mesh.snapshot().chaos.partition).toBeNull();
  });
});
