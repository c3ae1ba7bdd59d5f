import type { AgentId } from '../base/ids';
import { WIRE_VERSION } from './messages';
import type {
  PbftCheckpoint,
  PbftHeader,
  PbftMessage,
  PbftMessageType,
  PbftPreparedProof,
  PbftRequest,
  PbftViewChange,
  PbftVote,
} from './pbftMessages';

/** Samples and helpers for the pBFT wire tests; nothing outside `*.test.ts` imports it. */

export const A = 'a1'.repeat(32) as AgentId;
export const B = '0b'.repeat(32) as AgentId;
export const C = 'c4'.repeat(32) as AgentId;
export const D = 'd5'.repeat(32) as AgentId;

/** A distinct, well-formed signature per n < 256. */
export const sigOf = (n: number): string => n.toString(16).padStart(2, '0').repeat(64);
/** A distinct, well-formed digest per n < 256. */
export const digestOf = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

export const header = (
  view: number,
  seq: number,
  digest: string,
  replica: AgentId,
  sig: string,
): PbftHeader => ({ view, seq, digest, replica, sig });

export const vote: (...args: Parameters<typeof header>) => PbftVote = header;

export const checkpoint = (
  seq: number,
  stateDigest: string,
  replica: AgentId,
  sig: string,
): PbftCheckpoint => ({ seq, stateDigest, replica, sig });

export const REQUEST: PbftRequest = {
  client: A,
  reqNo: 3,
  action: '{"kind":"put","key":"k","value":"välue ✓ 😀"}',
  sig: sigOf(1),
};

export const PROOF: PbftPreparedProof = {
  header: header(1, 5, digestOf(9), B, sigOf(2)),
  prepares: [vote(1, 5, digestOf(9), C, sigOf(3)), vote(1, 5, digestOf(9), D, sigOf(4))],
};

/** C's move to view 2, with its stable checkpoint's certificate and one prepared proof. */
export const VIEW_CHANGE: PbftViewChange = {
  newView: 2,
  stableSeq: 4,
  stableDigest: digestOf(7),
  checkpoints: [
    checkpoint(4, digestOf(7), B, sigOf(5)),
    checkpoint(4, digestOf(7), C, sigOf(6)),
    checkpoint(4, digestOf(7), D, sigOf(7)),
  ],
  prepared: [PROOF],
  replica: C,
  sig: sigOf(8),
};

const EMPTY_VIEW_CHANGE: PbftViewChange = {
  newView: 2,
  stableSeq: 0,
  stableDigest: digestOf(0),
  checkpoints: [],
  prepared: [],
  replica: D,
  sig: sigOf(10),
};

/** One fully signed example of every pBFT message, keys in the order of the interfaces. */
export const PBFT_SAMPLES: PbftMessage[] = [
  { type: 'pbft-request', ...REQUEST },
  {
    type: 'pbft-pre-prepare',
    ...header(1, 5, digestOf(9), B, sigOf(2)),
    requests: [REQUEST, { client: C, reqNo: 0, action: '{}', sig: sigOf(11) }],
  },
  { type: 'pbft-prepare', ...vote(1, 5, digestOf(9), C, sigOf(3)) },
  { type: 'pbft-commit', view: 1, seq: 5, digest: digestOf(9) },
  { type: 'pbft-reply', view: 1, seq: 5, reqNo: 3, result: '{"ok":true,"value":"ü"}' },
  { type: 'pbft-checkpoint', ...checkpoint(4, digestOf(7), B, sigOf(5)) },
  { type: 'pbft-view-change', ...VIEW_CHANGE },
  {
    type: 'pbft-new-view',
    view: 2,
    viewChanges: [VIEW_CHANGE, EMPTY_VIEW_CHANGE],
    headers: [header(2, 5, digestOf(9), A, sigOf(12))],
    replica: A,
    sig: sigOf(13),
  },
  { type: 'pbft-batch-request', digest: digestOf(9) },
  { type: 'pbft-batch', digest: digestOf(9), requests: [REQUEST] },
  { type: 'pbft-state-request', aboveSeq: 4 },
  {
    type: 'pbft-state',
    seq: 4,
    stateDigest: digestOf(7),
    snapshot: '{"app":{"k":"v"},"clients":{}}',
    checkpoints: VIEW_CHANGE.checkpoints,
    replica: B,
    sig: sigOf(14),
  },
  { type: 'pbft-entries-request', fromSeq: 5, count: 2 },
  {
    type: 'pbft-entries',
    entries: [
      { seq: 5, digest: digestOf(9), requests: [REQUEST] },
      { seq: 6, digest: digestOf(15), requests: [] },
    ],
  },
  {
    type: 'pbft-evidence',
    first: header(1, 5, digestOf(9), B, sigOf(2)),
    second: header(1, 5, digestOf(16), B, sigOf(17)),
  },
];

export function sampleOf<T extends PbftMessageType>(type: T): Extract<PbftMessage, { type: T }> {
  const sample = PBFT_SAMPLES.find((m) => m.type === type);
  if (sample === undefined) throw new Error(`no sample of ${type}`);
  return sample as Extract<PbftMessage, { type: T }>;
}

/** A sample's JSON body (without its type), as a fresh copy to patch. */
export function bodyOf(type: PbftMessageType): Record<string, unknown> {
  const { type: _type, ...body } = sampleOf(type);
  return JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
}

const utf8 = new TextEncoder();

/** A frame with the given type code and a raw body. */
export function rawFrame(typeCode: number, body: string | Uint8Array): Uint8Array {
  const bytes = typeof body === 'string' ? utf8.encode(body) : body;
  const frame = new Uint8Array(bytes.length + 2);
  frame[0] = WIRE_VERSION;
  frame[1] = typeCode;
  frame.set(bytes, 2);
  return frame;
}

/** A stand-in signer: a deterministic 128-hex tag of the bytes (FNV-1a, repeated). */
export function fakeSign(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0').repeat(16);
}
