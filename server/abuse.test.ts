/**
 * The server under a hostile client, over real loopback sockets. Each attacker connects from an
 * address of its own inside 127.0.0.0/8 (Linux routes all of it to loopback), so the per-address
 * limits tell it apart from the well-behaved clients on 127.0.0.1.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { ServerConfig } from './config';
import type { RunningServer } from './startServer';
import { TestClient, eventually, health, startLoopbackServer, type Frame } from './testSupport';

const running: RunningServer[] = [];
const clients: TestClient[] = [];
const rawSockets: Socket[] = [];

async function start(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const server = await startLoopbackServer(config);
  running.push(server);
  return server;
}

async function connectFrom(server: RunningServer, localAddress: string): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl, { localAddress });
  clients.push(client);
  return client;
}

/** A raw TCP connection that sends `text` (maybe nothing) and then waits. */
function rawConnection(port: number, localAddress: string, text = ''): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port, localAddress }, () => {
      if (text !== '') socket.write(text);
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
    rawSockets.push(socket);
  });
}

/** Resolves when the server has ended the connection (FIN or reset). */
function ended(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) resolve();
    socket.once('close', () => resolve());
    socket.resume();
  });
}

/** Stops reading: what the server sends piles up in its queue for this socket. */
function stopReading(ws: WebSocket): void {
  (ws as unknown as { _socket: Socket })._socket.pause();
}

/** Sends `frame` `perSecond` times a second until `stop()` returns true or `maxMs` passes. */
async function sendAtRate(
  client: TestClient,
  frame: string,
  perSecond: number,
  stop: () => boolean,
  maxMs: number,
): Promise<number> {
  const startedMs = Date.now();
  let sent = 0;
  while (!stop() && Date.now() - startedMs < maxMs) {
    const due = Math.floor(((Date.now() - startedMs) * perSecond) / 1000);
    for (; sent < due && client.ws.readyState === client.ws.OPEN; sent++) client.send(frame);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return sent;
}

/**
 * Polls /healthz until `done(report)` holds; `settle()` stops polling (also when it never held)
 * and gives the largest output queue any report showed.
 */
function watchHealth(port: number, done: (report: Frame) => boolean) {
  let held = false;
  let stopped = false;
  let peakQueuedBytes = 0;
  const loop = (async () => {
    while (!held && !stopped) {
      const report = await health(port);
      peakQueuedBytes = Math.max(peakQueuedBytes, report['outputQueuedBytes'] as number);
      held = done(report);
    }
  })();
  return {
    held: () => held,
    settle: async () => {
      stopped = true;
      await loop;
      return { held, peakQueuedBytes };
    },
  };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const socket of rawSockets.splice(0)) socket.destroy();
  await Promise.all(running.splice(0).map((server) => server.close()));
});

describe('the server under abuse', () => {
  it('closes a paused socket whose error answers pass its output bound', async () => {
    // As reported: --max-buffered-bytes 1024, one paused socket sending `x` 12,000 times a second.
    const server = await start({ maxBufferedBytes: 1024, maxMessagesPerSecond: 1_000_000 });
    const abuser = await connectFrom(server, '127.0.0.2');
    stopReading(abuser.ws);
    const watch = watchHealth(server.port, (report) => report['slowConsumersClosed'] === 1);
    await sendAtRate(abuser, 'x', 12_000, watch.held, 20_000);
    const { held, peakQueuedBytes } = await watch.settle();
    expect(held).toBe(true);
    // The bound, plus the one last answer that says why.
    expect(peakQueuedBytes).toBeLessThanOrEqual(1024 + 256);
    expect(await health(server.port)).toMatchObject({ sockets: 0, outputQueuedBytes: 0 });
  });

  it('closes a paused socket whose topic-full answers pass its output bound', async () => {
    const server = await start({
      maxSubscribersPerTopic: 1,
      maxBufferedBytes: 16 * 1024,
      maxMessagesPerSecond: 100_000,
    });
    const topics = Array.from({ length: 8 }, (_, i) => `topic-${i}`);
    const holder = await connectFrom(server, '127.0.0.1');
    await holder.subscribe(...topics);
    const abuser = await connectFrom(server, '127.0.0.3');
    stopReading(abuser.ws);
    const subscribe = JSON.stringify({ type: 'subscribe', topics });
    // Pongs of its own, which used to keep a socket like this alive, and subscribes fast enough
    // that the kernel's socket buffers fill within seconds (190 a second takes minutes).
    const pongs = setInterval(() => abuser.ws.pong(), 1000);
    const watch = watchHealth(server.port, (report) => report['slowConsumersClosed'] === 1);
    await sendAtRate(abuser, subscribe, 4000, watch.held, 20_000);
    clearInterval(pongs);
    const { held, peakQueuedBytes } = await watch.settle();
    expect(held).toBe(true);
    expect(peakQueuedBytes).toBeLessThanOrEqual(16 * 1024 + 256);
    expect(await health(server.port)).toMatchObject({ sockets: 1, subscriptions: 8 });
    await holder.expectNothingElse();
  });

  it('terminates a socket that never reads, however often it sends pongs of its own', async () => {
    const server = await start({ heartbeatMs: 200 });
    const live = await connectFrom(server, '127.0.0.1');
    const deaf = await connectFrom(server, '127.0.0.4');
    stopReading(deaf.ws);
    const pongs = setInterval(() => deaf.ws.pong(), 50);
    try {
      await eventually(
        async () => (await health(server.port))['sockets'] === 1,
        'the deaf socket terminated',
      );
    } finally {
      clearInterval(pongs);
    }
    await live.expectNothingElse();
  });

  it('cuts TCP connections that send nothing, or half a request head, after the deadline', async () => {
    const server = await start({ requestHeadTimeoutMs: 300 });
    const silent = await rawConnection(server.port, '127.0.0.5');
    const half = await rawConnection(server.port, '127.0.0.5', 'GET / HTTP/1.1\r\nHost: x\r\n');
    await Promise.all([ended(silent), ended(half)]);
    const report = await health(server.port);
    expect(report['connectionsCut']).toBe(2);
    expect(report['connections']).toBe(1); // this /healthz request's own
  });

  it('holds one address to its connection limit and still answers others', async () => {
    const server = await start({ maxConnectionsPerAddress: 20 });
    const idle = await Promise.all(
      Array.from({ length: 60 }, () => rawConnection(server.port, '127.0.0.6')),
    );
    // Each newcomer past 20 cut that address's oldest idle connection to make room.
    await Promise.all(idle.slice(0, 40).map(ended));
    const report = await health(server.port);
    expect(report['connections']).toBe(21);
    expect(report['connectionsCut']).toBe(40);
    // Even from the full address, a real request gets in: idle connections give way to it.
    const fromSame = await connectFrom(server, '127.0.0.6');
    await fromSame.expectNothingElse();
  });

  it('lets a WebSocket and /healthz in while the server holds its connection limit', async () => {
    const server = await start({ maxConnections: 100, maxConnectionsPerAddress: 10 });
    const addresses = Array.from({ length: 11 }, (_, i) => `127.0.1.${i + 1}`);
    const idle = await Promise.all(
      Array.from({ length: 110 }, (_, i) =>
        rawConnection(server.port, addresses[i % addresses.length] as string),
      ),
    );
    const client = await connectFrom(server, '127.0.0.1');
    await client.expectNothingElse();
    const report = await health(server.port);
    expect(report['connections']).toBeLessThanOrEqual(100);
    expect(report['connectionsCut']).toBeGreaterThanOrEqual(12);
    expect(idle.filter((socket) => !socket.destroyed).length).toBeGreaterThan(0);
  });

  it('limits the WebSockets of one address; a newcomer from another still joins', async () => {
    const server = await start({ maxSocketsPerAddress: 8 });
    const held = await Promise.all(
      Array.from({ length: 8 }, () => connectFrom(server, '127.0.0.7')),
    );
    const refused = await connectFrom(server, '127.0.0.7');
    expect(await refused.next()).toMatchObject({ type: 'error', code: 'address-full' });
    expect((await refused.closed).code).toBe(1013);
    const newcomer = await connectFrom(server, '127.0.0.8');
    await newcomer.expectNothingElse();
    expect(await health(server.port)).toMatchObject({ sockets: 9, addresses: 2 });
    expect(held.every((client) => client.ws.readyState === client.ws.OPEN)).toBe(true);
  });

  it('closes a socket that floods in bursts with pauses, which used to reset the guard', async () => {
    const server = await start();
    const abuser = await connectFrom(server, '127.0.0.9');
    const ping = JSON.stringify({ type: 'ping' });
    const startedMs = Date.now();
    let sent = 0;
    while (abuser.ws.readyState === abuser.ws.OPEN && Date.now() - startedMs < 14_000) {
      const cycleMs = (Date.now() - startedMs) % 4000;
      if (cycleMs < 2800) sent += await sendAtRate(abuser, ping, 600, () => false, 100);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const closed = await abuser.closed;
    expect(closed.code).toBe(1008);
    expect(sent).toBeLessThan(4404);
    const frames: Frame[] = [];
    while (abuser.pending() > 0) frames.push(await abuser.next());
    expect(frames.at(-1)).toMatchObject({ type: 'error', code: 'rate-limited' });
    expect(String(frames.at(-1)?.['message'])).toContain('closing');
  });

  it('frees a slow consumer at once: its slot, subscriptions and connection', async () => {
    const server = await start({ maxBufferedBytes: 64 * 1024, maxMessagesPerSecond: 100_000 });
    // The publisher does not subscribe: it would be handed its own frames, and on a loaded
    // machine it could fall behind reading them and be closed as a slow consumer itself. A
    // bystander on another topic shows the slow one's going frees only what was its own.
    const publisher = await connectFrom(server, '127.0.0.1');
    const bystander = await connectFrom(server, '127.0.0.2');
    const slow = await connectFrom(server, '127.0.0.10');
    await bystander.subscribe('elsewhere');
    await slow.subscribe('room');
    stopReading(slow.ws);
    const frame = JSON.stringify({ type: 'publish', topic: 'room', pad: 'x'.repeat(4000) });
    const watch = watchHealth(server.port, (report) => report['slowConsumersClosed'] === 1);
    await sendAtRate(publisher, frame, 2000, watch.held, 20_000);
    expect((await watch.settle()).held).toBe(true);
    const report = await health(server.port);
    expect(report).toMatchObject({ sockets: 2, subscriptions: 1, slowConsumersClosed: 1 });
    // Its connection is cut after the short close grace, not the 30 s closing handshake of ws.
    await eventually(
      async () => (await health(server.port))['connections'] === 3,
      'the slow connection gone',
    );
  });
});
