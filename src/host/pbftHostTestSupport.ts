import type { AgentId } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import { fixedId } from '../core/base/testSupport';
import { ListApp } from '../core/pbft/testNet';
import { decodeFrame, encodeFrame } from '../core/wire/codec';
import { PBFT_MAX_MESSAGE_BYTES, type PbftMessage } from '../core/wire/pbftMessages';
import { PbftHost } from './pbftHost';
import type { RecordStore } from './recordStore';
import type { Clock, CryptoPort, TransportHandler } from './ports';
import { sha256Hex } from './sha256Hex';

/** Test support for the PbftHost tests; nothing outside `*.test.ts` imports it. */

export const R1 = fixedId('1');
export const R2 = fixedId('2');
export const R3 = fixedId('3');
export const R4 = fixedId('4');
export const digestOf = sha256Hex;
/** The one signature the stand-in crypto makes and accepts. */
export const SIG = 'a'.repeat(128);

/** Timers run only when the test says so. */
export function manualClock(): Clock & { runDue(): void } {
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

export const anyoneSigns: CryptoPort = {
  sign: (_bytes, done) => done(SIG),
  verify: (_signer, sig, _bytes, done) => done(sig === SIG),
};

export function frameOf(msg: PbftMessage): Uint8Array {
  return encodeFrame(msg, PBFT_MAX_MESSAGE_BYTES);
}

/** A pre-prepare of R1 for one request of R3 at `seq` in view 0. */
export function prePrepare(seq: number): PbftMessage {
  const requests = [{ client: R3, reqNo: 7, action: '{"kind":"k"}', sig: SIG }];
  const body = JSON.stringify(requests.map((r) => [r.client, r.reqNo, r.action]));
  const digest = digestOf(new TextEncoder().encode(body));
  return { type: 'pbft-pre-prepare', view: 0, seq, digest, replica: R1, sig: SIG, requests };
}

/** Backup R2 of four on a manual clock; what it sends is listed as `type>peer`. */
export function backupHost(options: { storage?: RecordStore; stored?: Map<string, string> } = {}) {
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
    ...(options.storage === undefined ? {} : { storage: options.storage }),
    ...(options.stored === undefined ? {} : { stored: options.stored }),
  });
  clock.runDue();
  const deliver = (from: AgentId, frame: Uint8Array) => handler!.onFrame(from, frame);
  return { host, sent, clock, deliver };
}
