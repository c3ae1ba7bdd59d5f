import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../src/core/base/prng';
import { resolveConfig } from './config';
import {
  CLOSE_POLICY_VIOLATION,
  CLOSE_TRY_AGAIN_LATER,
  SignalingHub,
  type HubLimits,
  type HubSocket,
} from './signalingHub';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function utf8(frame: unknown): number {
  return encoder.encode(JSON.stringify(frame)).byteLength;
}

class FakeSocket implements HubSocket {
  readonly sent: Record<string, unknown>[] = [];
  readonly frames: Uint8Array[] = [];
  readonly pongs: string[] = [];
  closedWith: { code: number; reason: string } | null = null;
  buffered = 0;
  /** A client that stopped reading: everything sent stays queued. */
  paused = false;

  constructor(
    readonly name: string,
    readonly address = '10.0.0.1',
  ) {}

  send(frame: Uint8Array): void {
    this.frames.push(frame);
    this.sent.push(JSON.parse(decoder.decode(frame)) as Record<string, unknown>);
    if (this.paused) this.buffered += frame.byteLength;
  }

  pong(payload: Uint8Array): void {
    this.pongs.push(decoder.decode(payload));
    if (this.paused) this.buffered += payload.byteLength + 2;
  }

  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  take(): Record<string, unknown>[] {
    return this.sent.splice(0);
  }
}

function setup(limits: Partial<HubLimits> = {}) {
  let now = 1000;
  const hub = new SignalingHub(resolveConfig(limits), () => now);
  const open = (name: string, address?: string) => {
    const socket = new FakeSocket(name, address);
    expect(hub.open(socket)).toBe(true);
    return socket;
  };
  const send = (socket: FakeSocket, frame: unknown) => {
    hub.receiveText(socket, typeof frame === 'string' ? frame : JSON.stringify(frame));
    hub.checkInvariants();
  };
  const advance = (ms: number) => {
    now += ms;
  };
  return { hub, open, send, advance };
}

describe('SignalingHub fan-out', () => {
  it('delivers a publish to every subscriber, sender included, with the count', () => {
    const { hub, open, send } = setup();
    const a = open('a');
    const b = open('b');
    const c = open('c');
    send(a, { type: 'subscribe', topics: ['room'] });
    send(b, { type: 'subscribe', topics: ['room'] });
    send(c, { type: 'subscribe', topics: ['elsewhere'] });
    send(b, { type: 'publish', topic: 'room', data: { type: 'signal', to: 'a' } });
    const expected = {
      type: 'publish',
      topic: 'room',
      data: { type: 'signal', to: 'a' },
      clients: 2,
    };
    expect(a.take()).toEqual([expected]);
    expect(b.take()).toEqual([expected]);
    expect(c.take()).toEqual([]);
    expect(hub.stats()).toEqual({
      sockets: 3,
      topics: 2,
      subscriptions: 3,
      addresses: 1,
      messagesRelayed: 2,
      errorsAnswered: 0,
      socketsRefused: 0,
      slowConsumersClosed: 0,
      floodsClosed: 0,
      outputQueuedBytes: 0,
    });
  });

  it('encodes a publish once and hands every receiver the same bytes', () => {
    const { open, send } = setup();
    const receivers = ['a', 'b', 'c'].map((name) => open(name));
    for (const receiver of receivers) send(receiver, { type: 'subscribe', topics: ['room'] });
    send(receivers[0] as FakeSocket, { type: 'publish', topic: 'room', n: 1 });
    const [first, ...others] = receivers.map((receiver) => receiver.frames.at(-1));
    expect(first).toBeInstanceOf(Uint8Array);
    for (const frame of others) expect(frame).toBe(first);
  });

  it('overwrites a clients field the sender made up', () => {
    const { open, send } = setup();
    const a = open('a');
    send(a, { type: 'subscribe', topics: ['room'] });
    send(a, { type: 'publish', topic: 'room', clients: 999 });
    expect(a.take()).toEqual([{ type: 'publish', topic: 'room', clients: 1 }]);
  });

  it('drops a publish to a topic nobody subscribed to, without an error', () => {
    const { hub, open, send } = setup();
    const a = open('a');
    send(a, { type: 'publish', topic: 'empty' });
    expect(a.take()).toEqual([]);
    expect(hub.stats().topics).toBe(0);
  });

  it('treats a repeated subscribe as one subscription', () => {
    const { hub, open, send } = setup();
    const a = open('a');
    send(a, { type: 'subscribe', topics: ['room', 'room'] });
    send(a, { type: 'subscribe', topics: ['room'] });
    expect(hub.subscriberCount('room')).toBe(1);
    expect(hub.stats().subscriptions).toBe(1);
  });

  it('unsubscribes, deletes empty topics and forgets removed sockets', () => {
    const { hub, open, send } = setup();
    const a = open('a');
    const b = open('b');
    send(a, { type: 'subscribe', topics: ['x', 'y'] });
    send(b, { type: 'subscribe', topics: ['y', 'z'] });
    send(a, { type: 'unsubscribe', topics: ['x', 'never-subscribed'] });
    expect(hub.stats()).toMatchObject({ topics: 2, subscriptions: 3 });
    hub.remove(b);
    hub.checkInvariants();
    expect(hub.stats()).toMatchObject({ sockets: 1, topics: 1, subscriptions: 1 });
    expect(hub.subscriberCount('z')).toBe(0);
    send(a, { type: 'publish', topic: 'y' });
    expect(a.take()).toEqual([{ type: 'publish', topic: 'y', clients: 1 }]);
    expect(b.take()).toEqual([]);
    // Frames from a removed socket are ignored.
    send(b, { type: 'subscribe', topics: ['y'] });
    expect(hub.subscriberCount('y')).toBe(1);
  });
});

describe('SignalingHub limits', () => {
  it('refuses a subscribe past the per-socket topic limit as a whole', () => {
    const { hub, open, send } = setup({ maxTopicsPerSocket: 2 });
    const a = open('a');
    send(a, { type: 'subscribe', topics: ['t1'] });
    send(a, { type: 'subscribe', topics: ['t2', 't3'] });
    expect(a.take()).toEqual([expect.objectContaining({ type: 'error', code: 'too-many-topics' })]);
    expect(hub.stats().subscriptions).toBe(1);
    send(a, { type: 'subscribe', topics: ['t1', 't2'] });
    expect(a.take()).toEqual([]);
    expect(hub.stats().subscriptions).toBe(2);
  });

  it('subscribes the topics with room and answers topic-full for the rest', () => {
    const { hub, open, send } = setup({ maxSubscribersPerTopic: 1 });
    const a = open('a');
    const b = open('b');
    send(a, { type: 'subscribe', topics: ['full'] });
    send(b, { type: 'subscribe', topics: ['full', 'free'] });
    const [answer, ...rest] = b.take();
    expect(rest).toEqual([]);
    expect(answer).toMatchObject({ type: 'error', code: 'topic-full' });
    expect(String(answer?.['message'])).toContain('"full"');
    expect(hub.subscriberCount('full')).toBe(1);
    expect(hub.subscriberCount('free')).toBe(1);
  });

  it('refuses a socket past max-sockets with server-full and close 1013', () => {
    const { hub, open } = setup({ maxSockets: 1 });
    open('a');
    const extra = new FakeSocket('extra');
    expect(hub.open(extra)).toBe(false);
    expect(extra.sent).toEqual([expect.objectContaining({ type: 'error', code: 'server-full' })]);
    expect(extra.closedWith?.code).toBe(CLOSE_TRY_AGAIN_LATER);
    expect(hub.stats().sockets).toBe(1);
  });

  it('answers a publish whose delivery would exceed the frame limit', () => {
    const { open, send } = setup({ maxFrameBytes: 256 });
    const a = open('a');
    const b = open('b');
    send(a, { type: 'subscribe', topics: ['t'] });
    send(b, { type: 'subscribe', topics: ['t'] });
    // 1e9 re-encodes as 1000000000: the frame fits, its delivery does not.
    const frame = `{"type":"publish","topic":"t","n":[${Array(20).fill('1e9').join(',')}]}`;
    expect(frame.length).toBeLessThan(256);
    send(a, frame);
    expect(a.take()).toEqual([expect.objectContaining({ code: 'frame-too-large' })]);
    expect(b.take()).toEqual([]);
  });

  it('answers a binary frame', () => {
    const { hub, open } = setup();
    const a = open('a');
    hub.receiveBinary(a);
    expect(a.take()).toEqual([expect.objectContaining({ type: 'error', code: 'binary-frame' })]);
  });

  it('closes a slow consumer instead of queueing without bound', () => {
    const { hub, open, send } = setup({ maxBufferedBytes: 1024 });
    const a = open('a');
    const slow = open('slow');
    send(a, { type: 'subscribe', topics: ['t'] });
    send(slow, { type: 'subscribe', topics: ['t'] });
    slow.buffered = 2048;
    send(a, { type: 'publish', topic: 't', n: 1 });
    expect(slow.take()).toEqual([expect.objectContaining({ code: 'slow-consumer' })]);
    expect(slow.closedWith?.code).toBe(CLOSE_TRY_AGAIN_LATER);
    expect(hub.subscriberCount('t')).toBe(1);
    send(a, { type: 'publish', topic: 't', n: 2 });
    expect(a.take()).toEqual([
      { type: 'publish', topic: 't', n: 1, clients: 2 },
      { type: 'publish', topic: 't', n: 2, clients: 1 },
    ]);
    expect(slow.take()).toEqual([]);
  });
});

describe('SignalingHub rate limit', () => {
  it('closes a socket that floods in bursts with pauses between them', () => {
    const { hub, open, send, advance } = setup();
    const a = open('a');
    // Pings at 600 per second for 2.8 s, then 1.2 s quiet, over 14 s.
    let sent = 0;
    for (let ms = 0; ms < 14_000 && a.closedWith === null; ms += 5) {
      if (ms % 4000 < 2800) {
        for (let i = 0; i < 3; i++) send(a, { type: 'ping' });
        sent += 3;
      }
      advance(5);
    }
    expect(a.closedWith?.code).toBe(CLOSE_POLICY_VIOLATION);
    expect(sent).toBeLessThan(4404);
    expect(hub.stats().floodsClosed).toBe(1);
  });

  it('allows the burst, answers rate-limited once per second, drops, and refills', () => {
    const { hub, open, send, advance } = setup({ maxMessagesPerSecond: 2, messageBurst: 3 });
    const a = open('a');
    for (let i = 0; i < 10; i++) send(a, { type: 'ping' });
    expect(a.take()).toEqual([
      { type: 'pong' },
      { type: 'pong' },
      { type: 'pong' },
      expect.objectContaining({ type: 'error', code: 'rate-limited' }),
    ]);
    expect(hub.stats().errorsAnswered).toBe(1);
    advance(500); // one token back
    send(a, { type: 'ping' });
    send(a, { type: 'ping' });
    expect(a.take()).toEqual([{ type: 'pong' }]);
    advance(1000); // two tokens back; the drop above was 500 ms after the answer
    for (let i = 0; i < 3; i++) send(a, { type: 'ping' });
    expect(a.take()).toEqual([
      { type: 'pong' },
      { type: 'pong' },
      expect.objectContaining({ code: 'rate-limited' }),
    ]);
    expect(a.closedWith).toBeNull();
  });

  it('counts malformed frames against the rate too', () => {
    const { open, send } = setup({ maxMessagesPerSecond: 1, messageBurst: 2 });
    const a = open('a');
    for (let i = 0; i < 5; i++) send(a, 'garbage');
    expect(a.take().map((frame) => frame['code'])).toEqual([
      'malformed-json',
      'malformed-json',
      'rate-limited',
    ]);
  });

  it('closes a socket dropping frames through half of flood-close-ms, with 1008', () => {
    const { hub, open, send, advance } = setup({
      maxMessagesPerSecond: 10,
      messageBurst: 10,
      floodCloseMs: 5000,
    });
    const a = open('a');
    send(a, { type: 'subscribe', topics: ['t'] });
    // 100 frames per second for 6 seconds: 10 times the rate.
    for (let ms = 0; ms < 6000 && a.closedWith === null; ms += 10) {
      send(a, { type: 'ping' });
      advance(10);
    }
    expect(a.closedWith?.code).toBe(CLOSE_POLICY_VIOLATION);
    const errors = a.take().filter((frame) => frame['type'] === 'error');
    expect(errors.length).toBe(4); // one per second, then the closing one at 2.5 s of drops
    expect(String(errors.at(-1)?.['message'])).toContain('closing');
    expect(hub.subscriberCount('t')).toBe(0);
    // Frames after the close are ignored.
    send(a, { type: 'ping' });
    expect(a.take()).toEqual([]);
  });

  it('does not close a socket whose bursts are separated by quiet seconds', () => {
    const { open, send, advance } = setup({
      maxMessagesPerSecond: 10,
      messageBurst: 10,
      floodCloseMs: 3000,
    });
    const a = open('a');
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 30; i++) send(a, { type: 'ping' }); // over the burst: drops
      advance(1500); // quiet longer than the flood gap
    }
    expect(a.closedWith).toBeNull();
  });
});

describe('SignalingHub output bound', () => {
  it('holds answers to the bound: a paused socket sending garbage is closed, not queued for', () => {
    const { hub, open, send } = setup({ maxBufferedBytes: 1024, maxMessagesPerSecond: 100_000 });
    const paused = open('paused');
    paused.paused = true;
    for (let i = 0; i < 12_000 && paused.closedWith === null; i++) send(paused, 'x');
    expect(paused.closedWith?.code).toBe(CLOSE_TRY_AGAIN_LATER);
    const last = paused.sent.at(-1);
    expect(last).toMatchObject({ type: 'error', code: 'slow-consumer' });
    // Everything before the last answer fitted the bound; the last answer is the one past it.
    expect(paused.buffered - utf8(last)).toBeLessThanOrEqual(1024);
    expect(paused.sent.length).toBeLessThan(20);
    expect(hub.stats()).toMatchObject({ sockets: 0, slowConsumersClosed: 1 });
  });

  it('holds topic-full answers to the bound', () => {
    const { hub, open, send, advance } = setup({ maxSubscribersPerTopic: 1 });
    const holder = open('holder', '10.0.0.2');
    const topics = Array.from({ length: 8 }, (_, i) => `topic-${i}`);
    send(holder, { type: 'subscribe', topics });
    const abuser = open('abuser');
    abuser.paused = true;
    // 190 a second, each answered with topic-full, for up to ten minutes.
    for (let i = 0; i < 190 * 600 && abuser.closedWith === null; i++) {
      send(abuser, { type: 'subscribe', topics });
      advance(1000 / 190);
    }
    expect(abuser.closedWith?.code).toBe(CLOSE_TRY_AGAIN_LATER);
    expect(abuser.buffered).toBeLessThan(1024 * 1024 + 512);
    expect(hub.stats().sockets).toBe(1);
  });

  it('answers a client ping with its pong under the bound and the rate', () => {
    const { hub, open, advance } = setup({
      maxBufferedBytes: 1024,
      maxMessagesPerSecond: 10,
      messageBurst: 10,
    });
    const a = open('a');
    for (let i = 0; i < 15; i++) hub.receiveControl(a, 'ping', encoder.encode(`p${i}`));
    expect(a.pongs).toHaveLength(10); // the rest were over the rate
    expect(a.take()).toEqual([expect.objectContaining({ code: 'rate-limited' })]);
    advance(1000);
    a.paused = true;
    for (let i = 0; i < 2000 && a.closedWith === null; i++) {
      hub.receiveControl(a, 'ping', new Uint8Array(125));
      advance(100);
    }
    expect(a.closedWith?.code).toBe(CLOSE_TRY_AGAIN_LATER);
    expect(hub.stats().slowConsumersClosed).toBe(1);
  });

  it('counts unsolicited pongs against the rate', () => {
    const { hub, open } = setup({ maxMessagesPerSecond: 5, messageBurst: 5 });
    const a = open('a');
    for (let i = 0; i < 6; i++) hub.receiveControl(a, 'pong', new Uint8Array(0));
    expect(a.take()).toEqual([expect.objectContaining({ code: 'rate-limited' })]);
  });

  it("frees a closed socket's slot at once, before its connection has finished closing", () => {
    const { hub, open, send } = setup({ maxSockets: 2, maxBufferedBytes: 1024 });
    const a = open('a');
    const slow = open('slow');
    send(a, { type: 'subscribe', topics: ['t'] });
    send(slow, { type: 'subscribe', topics: ['t'] });
    slow.buffered = 1000;
    send(a, { type: 'publish', topic: 't', pad: 'x'.repeat(100) });
    expect(slow.closedWith?.code).toBe(CLOSE_TRY_AGAIN_LATER);
    expect(hub.stats()).toMatchObject({ sockets: 1, subscriptions: 1 });
    open('newcomer');
    hub.remove(slow); // its close event, later: nothing left to forget
    hub.checkInvariants();
    expect(hub.stats().sockets).toBe(2);
  });
});

describe('SignalingHub per-address limits', () => {
  it("refuses a socket past its address's limit with address-full; other addresses still join", () => {
    const { hub, open } = setup({ maxSocketsPerAddress: 2 });
    open('a1', '10.0.0.5');
    const a2 = open('a2', '10.0.0.5');
    const a3 = new FakeSocket('a3', '10.0.0.5');
    expect(hub.open(a3)).toBe(false);
    expect(a3.sent).toEqual([expect.objectContaining({ code: 'address-full' })]);
    expect(a3.closedWith?.code).toBe(CLOSE_TRY_AGAIN_LATER);
    open('b1', '10.0.0.6');
    hub.remove(a2);
    open('a4', '10.0.0.5');
    hub.checkInvariants();
    expect(hub.stats()).toMatchObject({ sockets: 3, addresses: 2, socketsRefused: 1 });
  });

  it("refuses subscriptions past its address's limit, over all of its sockets", () => {
    const { hub, open, send } = setup({ maxSubscriptionsPerAddress: 3 });
    const a1 = open('a1', '10.0.0.5');
    const a2 = open('a2', '10.0.0.5');
    const b = open('b', '10.0.0.6');
    send(a1, { type: 'subscribe', topics: ['t1', 't2'] });
    send(a2, { type: 'subscribe', topics: ['t3', 't4'] });
    expect(a2.take()).toEqual([expect.objectContaining({ code: 'too-many-topics' })]);
    send(a2, { type: 'subscribe', topics: ['t3'] });
    send(b, { type: 'subscribe', topics: ['t1', 't2', 't3'] });
    expect(b.take()).toEqual([]);
    send(a1, { type: 'unsubscribe', topics: ['t1'] });
    send(a2, { type: 'subscribe', topics: ['t4'] });
    expect(a2.take()).toEqual([]);
    expect(hub.stats().subscriptions).toBe(6);
  });
});

describe('SignalingHub under random operations', () => {
  it('keeps its index consistent and its counters exact', () => {
    const prng = createSeededPrng(7);
    const { hub, open, send } = setup({
      maxTopicsPerSocket: 4,
      maxSubscribersPerTopic: 3,
      maxMessagesPerSecond: 1_000_000,
      maxSocketsPerAddress: 1000,
      maxSubscriptionsPerAddress: 40,
    });
    const sockets: FakeSocket[] = [];
    const topics = ['a', 'b', 'c', 'd', 'e', 'f'];
    const pickTopics = () =>
      Array.from({ length: 1 + prng.nextInt(3) }, () => topics[prng.nextInt(topics.length)]);
    let expectedRelayed = 0;
    for (let step = 0; step < 3000; step++) {
      const op = prng.nextInt(10);
      if (sockets.length === 0 || op === 0) {
        sockets.push(open(`s${step}`, `10.0.0.${step % 5}`));
        continue;
      }
      const index = prng.nextInt(sockets.length);
      const socket = sockets[index] as FakeSocket;
      if (op === 1) {
        hub.remove(socket);
        sockets.splice(index, 1);
        hub.checkInvariants();
      } else if (op <= 4) send(socket, { type: 'subscribe', topics: pickTopics() });
      else if (op <= 6) send(socket, { type: 'unsubscribe', topics: pickTopics() });
      else if (op <= 8) {
        const topic = topics[prng.nextInt(topics.length)] as string;
        const count = hub.subscriberCount(topic);
        send(socket, { type: 'publish', topic, step });
        expectedRelayed += count;
      } else send(socket, '{"type":');
      expect(hub.stats().messagesRelayed).toBe(expectedRelayed);
    }
    expect(hub.stats().sockets).toBe(sockets.length);
  });
});
