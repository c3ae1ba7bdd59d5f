import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerConfig } from './config';
import type { RunningServer } from './startServer';
import { TestClient, eventually, health, startLoopbackServer } from './testSupport';
import { hardFrameCapBytes } from './wsGateway';

const running: RunningServer[] = [];
const clients: TestClient[] = [];

async function start(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const server = await startLoopbackServer(config);
  running.push(server);
  return server;
}

async function connect(server: RunningServer, options?: WebSocket.ClientOptions) {
  const client = await TestClient.connect(server.wsUrl, options);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** After misbehaviour: a fresh client gets full service and /healthz still answers. */
async function expectStillServing(server: RunningServer): Promise<void> {
  const a = await connect(server);
  const b = await connect(server);
  await a.subscribe('after');
  await b.subscribe('after');
  a.send({ type: 'publish', topic: 'after', n: 1 });
  expect(await b.next()).toEqual({ type: 'publish', topic: 'after', n: 1, clients: 2 });
  expect(await a.next()).toEqual({ type: 'publish', topic: 'after', n: 1, clients: 2 });
  expect((await health(server.port))['status']).toBe('ok');
}

describe('signaling over WebSocket', () => {
  it('reports the port it picked and answers on the default host via localhost', async () => {
    const server = await start({ host: '0.0.0.0' });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://localhost:${server.port}`);
    const client = await connect(server);
    client.send({ type: 'ping' });
    expect(await client.next()).toEqual({ type: 'pong' });
  });

  it('fans a publish out to every subscriber of the topic, sender included, with clients', async () => {
    const server = await start();
    const a = await connect(server);
    const b = await connect(server);
    const c = await connect(server);
    await a.subscribe('room');
    await b.subscribe('room', 'second');
    await c.subscribe('other');

    const publish = { type: 'publish', topic: 'room', data: { type: 'announce', from: 'a' } };
    a.send(publish);
    expect(await a.next()).toEqual({ ...publish, clients: 2 });
    expect(await b.next()).toEqual({ ...publish, clients: 2 });
    await c.expectNothingElse();

    expect(await health(server.port)).toMatchObject({
      sockets: 3,
      topics: 3,
      subscriptions: 4,
      messagesRelayed: 2,
      errorsAnswered: 0,
    });
  });

  it('accepts connections on any path, like y-webrtc', async () => {
    const server = await start();
    const a = await TestClient.connect(`${server.wsUrl}/some/room/path?x=1`);
    clients.push(a);
    await a.subscribe('t');
    a.send({ type: 'publish', topic: 't' });
    expect(await a.next()).toEqual({ type: 'publish', topic: 't', clients: 1 });
  });

  it('answers ping with pong', async () => {
    const server = await start();
    const a = await connect(server);
    a.send({ type: 'ping' });
    expect(await a.next()).toEqual({ type: 'pong' });
  });

  it('stops delivering after unsubscribe and deletes empty topics', async () => {
    const server = await start();
    const a = await connect(server);
    const b = await connect(server);
    await a.subscribe('room');
    await b.subscribe('room');
    b.send({ type: 'unsubscribe', topics: ['room'] });
    await b.expectNothingElse();

    a.send({ type: 'publish', topic: 'room', n: 1 });
    expect(await a.next()).toEqual({ type: 'publish', topic: 'room', n: 1, clients: 1 });
    await b.expectNothingElse();

    a.send({ type: 'unsubscribe', topics: ['room'] });
    await a.expectNothingElse();
    expect(await health(server.port)).toMatchObject({ topics: 0, subscriptions: 0 });
  });

  it('removes a closed socket from its topics', async () => {
    const server = await start();
    const a = await connect(server);
    const b = await connect(server);
    await a.subscribe('room', 'b-only');
    await b.subscribe('room', 'b-only-too');
    await b.close();
    await eventually(async () => (await health(server.port))['sockets'] === 1, 'socket removal');
    expect(await health(server.port)).toMatchObject({ topics: 2, subscriptions: 2 });

    a.send({ type: 'publish', topic: 'room' });
    expect(await a.next()).toEqual({ type: 'publish', topic: 'room', clients: 1 });
  });

  it.each([
    ['malformed JSON', '{"type":"subscribe",', 'malformed-json'],
    ['an unknown type', '{"type":"join","topics":["x"]}', 'unknown-type'],
    ['a bad field', '{"type":"subscribe","topics":[""]}', 'bad-field'],
    ['a non-object', '[1,2,3]', 'bad-field'],
  ])('answers %s with an error and keeps the socket', async (_what, text, code) => {
    const server = await start();
    const a = await connect(server);
    a.send(text);
    const answer = await a.next();
    expect(answer).toMatchObject({ type: 'error', code });
    expect(typeof answer['message']).toBe('string');
    await a.expectNothingElse(); // same socket still served
    expect((await health(server.port))['errorsAnswered']).toBe(1);
    await expectStillServing(server);
  });

  it('answers an oversized frame with frame-too-large and keeps the socket', async () => {
    const server = await start({ maxFrameBytes: 1024 });
    const a = await connect(server);
    await a.subscribe('room');
    a.send({ type: 'publish', topic: 'room', pad: 'x'.repeat(1100) });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'frame-too-large' });
    // Multi-byte characters count as UTF-8 bytes: 500 x 'é' is 1000 bytes in 500 characters.
    a.send({ type: 'publish', topic: 'room', pad: 'é'.repeat(500) });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'frame-too-large' });
    a.send({ type: 'publish', topic: 'room', pad: 'é'.repeat(300) });
    expect(await a.next()).toMatchObject({ type: 'publish', clients: 1 });
    await expectStillServing(server);
  });

  it('closes a frame beyond the hard cap with 1009', async () => {
    const server = await start({ maxFrameBytes: 1024 });
    const a = await connect(server);
    a.send({ type: 'ping', pad: 'x'.repeat(hardFrameCapBytes(1024) + 10) });
    expect((await a.closed).code).toBe(1009);
    await expectStillServing(server);
  });

  it('answers a binary frame with binary-frame', async () => {
    const server = await start();
    const a = await connect(server);
    a.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'binary-frame' });
    await a.expectNothingElse();
  });

  it('refuses subscriptions past the per-socket topic limit, subscribing none of them', async () => {
    const server = await start({ maxTopicsPerSocket: 3 });
    const a = await connect(server);
    await a.subscribe('t1', 't2');
    a.send({ type: 'subscribe', topics: ['t3', 't4'] });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'too-many-topics' });
    expect(await health(server.port)).toMatchObject({ topics: 2, subscriptions: 2 });
    await a.subscribe('t2', 't3'); // t2 is not new: exactly at the limit
    expect(await health(server.port)).toMatchObject({ topics: 3, subscriptions: 3 });
    await expectStillServing(server);
  });

  it('refuses a subscriber past the per-topic limit', async () => {
    const server = await start({ maxSubscribersPerTopic: 2 });
    const a = await connect(server);
    const b = await connect(server);
    const c = await connect(server);
    await a.subscribe('room');
    await b.subscribe('room');
    c.send({ type: 'subscribe', topics: ['room', 'free'] });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'topic-full' });
    c.send({ type: 'publish', topic: 'free' });
    expect(await c.next()).toEqual({ type: 'publish', topic: 'free', clients: 1 });
  });

  it('answers frames over the rate with one rate-limited error and drops them', async () => {
    const server = await start({ maxMessagesPerSecond: 1, messageBurst: 5 });
    const a = await connect(server);
    for (let i = 0; i < 20; i++) a.send({ type: 'ping' });
    for (let i = 0; i < 5; i++) expect(await a.next()).toEqual({ type: 'pong' });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'rate-limited' });
    await expectStillServing(server);
  });

  it('closes a socket that keeps flooding', async () => {
    const server = await start({ maxMessagesPerSecond: 10, messageBurst: 10, floodCloseMs: 200 });
    const a = await connect(server);
    let open = true;
    void a.closed.then(() => (open = false));
    const flood = (): void => {
      if (!open || a.ws.readyState !== WebSocket.OPEN) return;
      a.send({ type: 'ping' });
      setImmediate(flood);
    };
    flood();
    const closed = await a.closed;
    expect(closed.code).toBe(1008);
    const frames = [];
    while (a.pending() > 0) frames.push(await a.next());
    expect(frames.some((frame) => frame['code'] === 'rate-limited')).toBe(true);
    await expectStillServing(server);
  });

  it('refuses sockets past max-sockets with server-full and 1013', async () => {
    const server = await start({ maxSockets: 2 });
    const a = await connect(server);
    await connect(server);
    const third = await connect(server);
    expect(await third.next()).toMatchObject({ type: 'error', code: 'server-full' });
    expect((await third.closed).code).toBe(1013);
    await a.expectNothingElse();
  });

  it('refuses an upgrade from an origin not on the list with 403', async () => {
    const server = await start({ allowedOrigins: ['http://good.example:8080'] });
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(server.wsUrl, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('evil origin was let in')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
    const good = await connect(server, { origin: 'http://GOOD.example:8080/' });
    await good.expectNothingElse();
    expect((await health(server.port))['sockets']).toBe(1);
  });

  it('closes a socket that does not answer heartbeat pings', async () => {
    const server = await start({ heartbeatMs: 100 });
    const live = await connect(server);
    const dead = await connect(server, { autoPong: false });
    await dead.subscribe('room');
    const closed = await dead.closed;
    expect(closed.code).toBe(1006); // terminated, no closing handshake
    await eventually(async () => (await health(server.port))['sockets'] === 1, 'dead removed');
    expect(await health(server.port)).toMatchObject({ topics: 0, subscriptions: 0 });
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    await live.expectNothingElse();
  });

  it('closes every socket with 1001 on shutdown', async () => {
    const server = await start();
    const a = await connect(server);
    await server.close();
    expect((await a.closed).code).toBe(1001);
  });
});
