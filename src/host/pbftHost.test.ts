import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, type AgentId } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import { fixedId } from '../core/base/testSupport';
import type { PbftPersist } from '../core/pbft/durability';
import { ListApp } from '../core/pbft/testNet';
import { decodeFrame } from '../core/wire/codec';
import { PBFT_MAX_MESSAGE_BYTES } from '../core/wire/pbftMessages';
import { PbftHost, type PbftStorage } from './pbftHost';
import type { Clock, CryptoPort, TransportHandler } from './ports';

const [R1, R2, R3, R4] = ['1', '2', '3', '4'].map(fixedId) as [
  ReturnType<typeof fixedId>,
  ReturnType<typeof fixedId>,
  ReturnType<typeof fixedId>,
  ReturnType<typeof fixedId>,
];
const digestOf = (bytes: Uint8Array) => bytesToHex(sha256(bytes));

/** Timers run only when the test says so. */
function manualClock(): Clock & { runDue(): void } {
  let timers: (() => void)[] = [];
  return {
    nowMs: () => 0,
    setTimer: (_at, callback) => (timers.push(callback), callback),
    clearTimer: (handle) => (timers = timers.filter((t) => t !== handle)),
    runDue: () => {
      while (timers.length > 0) timers.shift()!();
    },
  };
}

const anyoneSigns: CryptoPort = {
  sign: (_bytes, done) => done('a'.repeat(128)),
  verify: (_signer, sig, _bytes, done) => done(sig === 'a'.repeat(128)),
};

/** Backup R2 of four, on a manual clock; what it sends is listed as `type>peer`. */
function backupHost(storage?: PbftStorage) {
  const sent: string[] = [];
  let handler: TransportHandler | null = null;
  const clock = manualClock();
  const host = new PbftHost({
    selfId: R2,
    replicas: [R1, R2, R3, R4],
    app: new ListApp(),
    digestOf,
    transport: {
      setHandler: (h) => (handler = h),
      send: (peer, frame) => {
        const decoded = decodeFrame(frame, PBFT_MAX_MESSAGE_BYTES);
        sent.push(`${decoded.ok ? decoded.msg.type : 'bad'}>${peer.slice(0, 1)}`);
      },
      close: () => undefined,
      connect: () => undefined,
    },
    clock,
    crypto: anyoneSigns,
    prng: createSeededPrng(1),
    firstReqNo: 1,
    ...(storage === undefined ? {} : { storage }),
  });
  clock.runDue();
  return {
    host,
    sent,
    deliver: (from: AgentId, frame: Uint8Array) => handler!.onFrame(from, frame),
  };
}

describe('PbftHost', () => {
  it("writes a step's records before it sends what depends on them", () => {
    const writes: { persist: PbftPersist; done: () => void }[] = [];
    const { host, sent, deliver } = backupHost({
      write: (persist, done) => writes.push({ persist, done }),
    });
    // The primary's pre-prepare for a request of R3 reaches backup R2.
    const requests = [{ client: R3, reqNo: 7, action: '{"kind":"k"}', sig: 'a'.repeat(128) }];
    const body = JSON.stringify(requests.map((r) => [r.client, r.reqNo, r.action]));
    const digest = digestOf(new TextEncoder().encode(body));
    const prePrepare = { view: 0, seq: 1, digest, replica: R1, sig: 'a'.repeat(128), requests };
    const frame = new Uint8Array([2, 34, ...new TextEncoder().encode(JSON.stringify(prePrepare))]);
    deliver(R1, frame);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.persist.puts.map((p) => p.key.split(':')[0])).toEqual(['batch', 'slot']);
    // Nothing leaves until the write is durable; then the prepare goes to the three others.
    expect(sent).toEqual([]);
    writes[0]!.done();
    expect(sent).toEqual(['pbft-prepare>1', 'pbft-prepare>3', 'pbft-prepare>4']);
    expect(host.stats.sent.get('pbft-prepare')).toBe(3);
  });

  it('drops frames that do not decode or whose signatures fail, and counts them', () => {
    const { host, deliver } = backupHost();
    deliver(R1, new Uint8Array([2, 35, 123]));
    const forged = { view: 0, seq: 1, digest: 'b'.repeat(64), replica: R3, sig: 'c'.repeat(128) };
    deliver(R3, new Uint8Array([2, 35, ...new TextEncoder().encode(JSON.stringify(forged))]));
    expect(host.stats).toMatchObject({ framesIn: 2, badFrames: 1, badSignatures: 1 });
    expect(host.replica.snapshot().slots).toEqual([]);
  });
});
