import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import { fixedId } from '../core/base/testSupport';
import { ClientTable } from '../core/pbft/clientTable';
import type { PbftPersist } from '../core/pbft/durability';
import { ListApp } from '../core/pbft/testNet';
import { decodeFrame, encodeFrame } from '../core/wire/codec';
import { PBFT_MAX_MESSAGE_BYTES, type PbftMessage } from '../core/wire/pbftMessages';
import { PbftHost } from './pbftHost';
import type { Clock, CryptoPort, TransportHandler } from './ports';

const [R1, R2, R3, R4] = ['1', '2', '3', '4'].map(fixedId) as [
  ReturnType<typeof fixedId>,
  ReturnType<typeof fixedId>,
  ReturnType<typeof fixedId>,
  ReturnType<typeof fixedId>,
];
const digestOf = (bytes: Uint8Array) => bytesToHex(sha256(bytes));
const SIG = 'a'.repeat(128);

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
  sign: (_bytes, done) => done(SIG),
  verify: (_signer, sig, _bytes, done) => done(sig === SIG),
};

function frameOf(msg: PbftMessage): Uint8Array {
  return encodeFrame(msg, PBFT_MAX_MESSAGE_BYTES);
}

/** A pre-prepare of R1 for one request of R3 at `seq` in view 0. */
function prePrepare(seq: number): PbftMessage {
  const requests = [{ client: R3, reqNo: 7, action: '{"kind":"k"}', sig: SIG }];
  const body = JSON.stringify(requests.map((r) => [r.client, r.reqNo, r.action]));
  const digest = digestOf(new TextEncoder().encode(body));
  return { type: 'pbft-pre-prepare', view: 0, seq, digest, replica: R1, sig: SIG, requests };
}

function makeHost(opts: {
  stored?: Map<string, string>;
  write: (persist: PbftPersist, done: () => void) => void;
}) {
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
    storage: { write: opts.write },
    ...(opts.stored === undefined ? {} : { stored: opts.stored }),
  });
  clock.runDue();
  return { host, sent, clock, handler: () => handler as unknown as TransportHandler };
}

describe('PbftHost', () => {
  it('one message too large to encode does not wedge the outbound queue', () => {
    // A stable checkpoint whose state is over the 1 MiB frame limit (the README's known
    // limit on state size): a state request makes the replica answer with a frame that
    // cannot be encoded.
    const snapshot = JSON.stringify({
      clients: new ClientTable(64, 1024).snapshot(),
      app: JSON.stringify(['x'.repeat(1_100_000)]),
    });
    const stateDigest = digestOf(new TextEncoder().encode(snapshot));
    const stored = new Map([
      ['stable', JSON.stringify({ seq: 16, stateDigest, certificate: [], snapshot })],
    ]);
    const writes: PbftPersist[] = [];
    const h = makeHost({ stored, write: (p, done) => (writes.push(p), done()) });
    expect(h.host.replica.snapshot().lastExecutedSeq).toBe(16);
    try {
      h.handler().onFrame(R1, frameOf({ type: 'pbft-state-request', aboveSeq: 0 }));
    } catch {
      // Whatever the host does with the oversized answer, it must go on with the others.
    }
    h.handler().onFrame(R1, frameOf(prePrepare(17)));
    expect(writes).toHaveLength(1);
    expect(h.sent).toEqual(['pbft-prepare>1', 'pbft-prepare>3', 'pbft-prepare>4']);
  });

  it('after stop() a stopped host writes no more records (a restarted host owns the storage)', () => {
    const pending: { persist: PbftPersist; done: () => void }[] = [];
    const written: PbftPersist[] = [];
    const h = makeHost({
      write: (persist, done) => {
        written.push(persist);
        pending.push({ persist, done });
      },
    });
    h.handler().onFrame(R1, frameOf(prePrepare(1)));
    // A second step's records wait behind the first write.
    h.handler().onFrame(R1, frameOf(prePrepare(2)));
    expect(written).toHaveLength(1);
    h.host.stop();
    // The first write completes after the crash: the queue goes on with the second one.
    pending[0]!.done();
    expect(h.sent).toEqual([]);
    expect(written).toHaveLength(1);
  });
});
