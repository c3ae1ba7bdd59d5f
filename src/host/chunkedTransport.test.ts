import { describe, expect, it } from 'vitest';
import type { AgentId } from '../core/base/ids';
import { createSeededPrng, shuffleInPlace } from '../core/base/prng';
import { B, C } from '../core/base/testSupport';
import { readChunk } from '../core/wire/chunkFrames';
import { mutateFrame } from '../core/wire/frameMutation';
import { PBFT_CHUNK_LANE_TYPE_CODE } from '../core/wire/lanes';
import { WIRE_VERSION } from '../core/wire/messages';
import { PBFT_MAX_MESSAGE_BYTES } from '../core/wire/pbftMessages';
import { chunkedTransport, type ChunkedTransportOptions } from './chunkedTransport';
import { PBFT_CHUNKING } from './pbftLane';
import type { Clock, Transport, TransportHandler } from './ports';

const MAX_FRAME = PBFT_CHUNKING.maxFrameBytes;
const PART_BYTES = MAX_FRAME - 10;

/** Timers fire when the test moves the clock past them, earliest first. */
function testClock(startMs = 0): Clock & { advanceTo(ms: number): void; timers(): number } {
  let nowMs = startMs;
  let nextHandle = 0;
  const timers = new Map<number, { atMs: number; callback: () => void }>();
  return {
    nowMs: () => nowMs,
    setTimer: (atMs, callback) => (timers.set(nextHandle, { atMs, callback }), nextHandle++),
    clearTimer: (handle) => timers.delete(handle as number),
    advanceTo: (ms) => {
      for (;;) {
        const due = [...timers]
          .filter(([, t]) => t.atMs <= ms)
          .sort((x, y) => x[1].atMs - y[1].atMs);
        const first = due[0];
        if (first === undefined) break;
        timers.delete(first[0]);
        nowMs = Math.max(nowMs, first[1].atMs);
        first[1].callback();
      }
      nowMs = ms;
    },
    timers: () => timers.size,
  };
}

/** An inner transport whose incoming events the test raises; it keeps what is sent through it. */
function fakeInner() {
  let handler: TransportHandler | null = null;
  const sent: { peer: AgentId; frame: Uint8Array }[] = [];
  const transport: Transport = {
    setHandler: (h) => (handler = h),
    send: (peer, frame) => sent.push({ peer, frame }),
    close: () => undefined,
    connect: () => undefined,
    bufferedBytes: () => 1234,
  };
  return { transport, sent, raise: () => handler as TransportHandler };
}

function options(clock: Clock, overrides: Partial<ChunkedTransportOptions> = {}) {
  return { ...PBFT_CHUNKING, clock, ...overrides };
}

/** A sender and a receiver, each wrapped; frames reach the receiver only when the test says. */
function pair(overrides: Partial<ChunkedTransportOptions> = {}, senderOverrides = overrides) {
  const clock = testClock(1000);
  const out = fakeInner();
  const sender = chunkedTransport(out.transport, options(clock, senderOverrides));
  const inn = fakeInner();
  const receiver = chunkedTransport(inn.transport, options(clock, overrides));
  const delivered: Uint8Array[] = [];
  const links: string[] = [];
  receiver.setHandler({
    onLinkUp: (peer) => links.push(`up ${peer.slice(0, 1)}`),
    onLinkDown: (peer) => links.push(`down ${peer.slice(0, 1)}`),
    onFrame: (peer, frame) => {
      expect(peer).toBe(B);
      delivered.push(frame);
    },
  });
  /** Takes the frames sent so far. */
  const take = () => out.sent.splice(0).map((s) => s.frame);
  const deliver = (frames: Uint8Array[]) => {
    for (const frame of frames) inn.raise().onFrame(B, frame);
  };
  return { clock, sender, receiver, inn, take, deliver, delivered, links };
}

/** Byte-wise equality; the deep equality of a matcher is slow on megabyte arrays. */
function expectFrames(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  expect(actual.map((f) => f.length)).toEqual(expected.map((f) => f.length));
  actual.forEach((f, i) => expect(Buffer.compare(f, expected[i] as Uint8Array)).toBe(0));
}

function frameOf(bytes: number, code = 42, seed = bytes): Uint8Array {
  const frame = new Uint8Array(bytes);
  for (let i = 2; i < bytes; i++) frame[i] = (i * 31 + seed) & 0xff;
  frame[0] = WIRE_VERSION;
  frame[1] = code;
  return frame;
}

describe('chunkedTransport', () => {
  it('passes frames up to the limit unchanged and joins larger ones up to 1 MiB', () => {
    const { sender, receiver, take, deliver, delivered } = pair();
    const sizes = [
      2,
      MAX_FRAME - 1,
      MAX_FRAME,
      MAX_FRAME + 1,
      3 * PART_BYTES,
      PBFT_MAX_MESSAGE_BYTES,
    ];
    for (const bytes of sizes) {
      const frame = frameOf(bytes);
      sender.send(C, frame);
      const frames = take();
      if (bytes <= MAX_FRAME) {
        expect(frames).toHaveLength(1);
        expect(frames[0]).toBe(frame);
      } else {
        expect(frames).toHaveLength(Math.ceil(bytes / PART_BYTES));
        for (const chunk of frames) {
          expect(chunk.length).toBeLessThanOrEqual(MAX_FRAME);
          expect([chunk[0], chunk[1]]).toEqual([WIRE_VERSION, PBFT_CHUNK_LANE_TYPE_CODE]);
        }
      }
      deliver(frames);
      expectFrames(delivered.slice(-1), [frame]);
    }
    expect(delivered).toHaveLength(sizes.length);
    expect(sender.stats.chunkedSent).toBe(3);
    expect(sender.stats.chunkFramesSent).toBe(2 + 3 + 17);
    expect(receiver.stats.reassembled).toBe(3);
  });

  it('counts and drops a frame over 1 MiB instead of throwing', () => {
    const { sender, take } = pair();
    expect(() => sender.send(C, frameOf(PBFT_MAX_MESSAGE_BYTES + 1))).not.toThrow();
    expect(take()).toEqual([]);
    expect(sender.stats.dropped.sendTooLarge).toBe(1);
    expect(sender.stats.chunkedSent).toBe(0);
  });

  it('numbers messages upward from the clock', () => {
    const { sender, take } = pair();
    sender.send(C, frameOf(MAX_FRAME + 1));
    sender.send(B, frameOf(MAX_FRAME + 1));
    const ids = take().map((f) => {
      const read = readChunk(f, 2);
      return read.ok ? read.chunk.messageId : -1;
    });
    expect(ids).toEqual([1000, 1000, 1001, 1001]);
  });

  it('joins parts that come out of order and more than once, delivering the frame once', () => {
    const { sender, take, deliver, delivered } = pair();
    const prng = createSeededPrng(7);
    const frame = frameOf(5 * PART_BYTES + 17);
    sender.send(C, frame);
    const chunks = take();
    const copies = shuffleInPlace([...chunks, ...chunks, chunks[2] as Uint8Array], prng);
    deliver(copies);
    expectFrames(delivered, [frame]);
  });

  it('joins two messages whose chunks interleave', () => {
    const { sender, take, deliver, delivered } = pair();
    const first = frameOf(2 * PART_BYTES + 3, 39);
    const second = frameOf(3 * PART_BYTES, 44);
    sender.send(C, first);
    const a = take();
    sender.send(C, second);
    const b = take();
    deliver([b[0], a[0], b[1], a[1], b[2], a[2]] as Uint8Array[]);
    expectFrames(delivered, [second, first]);
  });

  it('passes incoming frames other than chunks through, large ones included', () => {
    const { deliver, delivered, receiver } = pair();
    const frames = [frameOf(3, 2), frameOf(100_000, 42), Uint8Array.of(WIRE_VERSION + 1, 0x32, 1)];
    deliver(frames);
    expectFrames(delivered, frames);
    expect(delivered[1]).toBe(frames[1]);
    expect(receiver.stats.reassembled).toBe(0);
  });

  it('drops a joined frame over its own byte limit, whatever the sender allows', () => {
    const { sender, receiver, take, deliver, delivered } = pair(
      { maxMessageBytes: 4 * PART_BYTES },
      { maxMessageBytes: 8 * PART_BYTES },
    );
    sender.send(C, frameOf(4 * PART_BYTES + 1));
    deliver(take());
    sender.send(C, frameOf(4 * PART_BYTES));
    deliver(take());
    expect(delivered.map((f) => f.length)).toEqual([4 * PART_BYTES]);
    expect(receiver.stats.dropped.tooLarge).toBe(1);
  });

  it('keeps at most maxPendingPerPeer frames half joined, dropping the oldest', () => {
    const { sender, receiver, take, deliver, delivered } = pair();
    const all = [0, 1, 2, 3, 4].map((i) => {
      sender.send(C, frameOf(2 * PART_BYTES, 42, i));
      return take();
    });
    deliver(all.map((chunks) => chunks[0] as Uint8Array));
    expect(receiver.stats.dropped.tooManyPending).toBe(1);
    deliver(all.map((chunks) => chunks[1] as Uint8Array));
    expect(delivered.map((f) => f[2])).toEqual(
      [1, 2, 3, 4].map((i) => frameOf(2 * PART_BYTES, 42, i)[2]),
    );
    expect(receiver.stats.reassembled).toBe(4);
  });

  it('drops a frame whose chunks stop coming after maxAgeMs, on a timer', () => {
    const { clock, sender, receiver, take, deliver, delivered } = pair({ maxAgeMs: 500 });
    sender.send(C, frameOf(3 * PART_BYTES));
    const chunks = take();
    deliver(chunks.slice(0, 1));
    clock.advanceTo(1499);
    expect(receiver.stats.dropped.expired).toBe(0);
    clock.advanceTo(1500);
    expect(receiver.stats.dropped.expired).toBe(1);
    expect(clock.timers()).toBe(0);
    deliver(chunks.slice(1));
    expect(delivered).toEqual([]);
  });

  it('sweeps again for a frame still pending after the first expires', () => {
    const { clock, sender, receiver, take, deliver } = pair({ maxAgeMs: 500 });
    sender.send(C, frameOf(2 * PART_BYTES));
    deliver(take().slice(0, 1));
    clock.advanceTo(1300);
    sender.send(C, frameOf(2 * PART_BYTES));
    deliver(take().slice(0, 1));
    clock.advanceTo(1500);
    expect(receiver.stats.dropped.expired).toBe(1);
    clock.advanceTo(1800);
    expect(receiver.stats.dropped.expired).toBe(2);
    expect(clock.timers()).toBe(0);
  });

  it('forgets a peer’s half-joined frames when its link goes down', () => {
    const { sender, receiver, inn, take, deliver, delivered, links } = pair();
    sender.send(C, frameOf(3 * PART_BYTES));
    const old = take();
    inn.raise().onLinkUp(B);
    deliver(old.slice(0, 2));
    inn.raise().onLinkDown(B, 'closed');
    expect(receiver.stats.dropped.linkDown).toBe(1);
    expect(links).toEqual(['up b', 'down b']);
    inn.raise().onLinkUp(B);
    deliver(old.slice(2));
    const next = frameOf(2 * PART_BYTES, 40);
    sender.send(C, next);
    deliver(take());
    expectFrames(delivered, [next]);
  });

  it('counts and drops chunk frames that do not parse or do not fit their message', () => {
    const { receiver, deliver, delivered } = pair();
    const chunk = (index: number, count: number, partBytes: number, id = 9) => {
      const frame = new Uint8Array(10 + partBytes);
      frame.set([WIRE_VERSION, 0x32, 0, 0, 0, id, 0, index, 0, count]);
      return frame;
    };
    deliver([Uint8Array.of(WIRE_VERSION, 0x32), chunk(0, 2, 0), chunk(0, 1, 8), chunk(2, 2, 8)]);
    expect(receiver.stats.dropped.malformed).toBe(4);
    deliver([chunk(0, 3, 10), chunk(0, 3, PART_BYTES, 10), chunk(1, 3, PART_BYTES + 1, 10)]);
    expect(receiver.stats.dropped.malformed).toBe(6);
    expect(delivered).toEqual([]);
  });

  it('survives random and mutated chunk frames and still joins a clean one after', () => {
    // Small frames, so the fuzz runs many rounds.
    const limits = { maxFrameBytes: 1024, maxMessageBytes: 16 * 1024 };
    const { sender, receiver, inn, take, deliver, delivered } = pair(limits);
    const part = 1024 - 10;
    const prng = createSeededPrng(0xc4c4);
    const samples: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      sender.send(C, frameOf(100 + (2 + i) * part, 42, i));
      samples.push(...take());
    }
    const isChunk = (f: Uint8Array) => f.length >= 2 && f[0] === WIRE_VERSION && f[1] === 0x32;
    let passedThrough = 0;
    for (let round = 0; round < 5000; round++) {
      let frame: Uint8Array;
      if (prng.nextInt(3) === 0) {
        frame = Uint8Array.from({ length: prng.nextInt(64) }, () => prng.nextInt(256));
        if (frame.length >= 2) frame.set([WIRE_VERSION, 0x32]);
      } else {
        frame = mutateFrame(prng, samples[prng.nextInt(samples.length)] as Uint8Array);
      }
      if (!isChunk(frame)) passedThrough++;
      expect(() => deliver([frame])).not.toThrow();
    }
    expect(delivered).toHaveLength(passedThrough + receiver.stats.reassembled);
    for (const frame of delivered) expect(frame.length).toBeLessThanOrEqual(16 * 1024);
    expect(receiver.stats.dropped.malformed).toBeGreaterThan(500);
    inn.raise().onLinkDown(B, 'closed');
    expect(receiver.stats.dropped.linkDown).toBeLessThanOrEqual(4);
    inn.raise().onLinkUp(B);
    const clean = frameOf(3 * part + 5, 46);
    delivered.length = 0;
    sender.send(C, clean);
    deliver(take());
    expectFrames(delivered, [clean]);
  });

  it('passes link changes, close, connect and buffered bytes to the inner transport', () => {
    const inner = fakeInner();
    const calls: string[] = [];
    const transport = chunkedTransport(
      {
        ...inner.transport,
        close: (peer, reason) => calls.push(`close ${peer.slice(0, 1)} ${reason}`),
        connect: (peer) => calls.push(`connect ${peer.slice(0, 1)}`),
      },
      options(testClock()),
    );
    transport.close(B, 'bye');
    transport.connect(C);
    expect(calls).toEqual(['close b bye', 'connect c']);
    expect(transport.bufferedBytes?.(B)).toBe(1234);
  });

  it('refuses limits it cannot keep', () => {
    const clock = testClock();
    const inner = fakeInner().transport;
    expect(() => chunkedTransport(inner, options(clock, { maxFrameBytes: 100 }))).toThrow();
    expect(() => chunkedTransport(inner, options(clock, { maxPendingPerPeer: 0 }))).toThrow();
    expect(() => chunkedTransport(inner, options(clock, { maxAgeMs: 0 }))).toThrow();
    expect(() => chunkedTransport(inner, options(clock, { chunkTypeCode: 300 }))).toThrow();
  });
});
