import { describe, expect, it } from 'vitest';
import { isAgentId } from '../base/ids';
import { createSeededPrng, type Prng } from '../base/prng';
import {
  decodeFrame,
  encodeFrame,
  FrameTooLargeError,
  typeCodeOf,
  type DecodeResult,
} from './codec';
import { CHAOS_LANE_TYPE_CODE, CRDT_LANE_TYPE_CODE } from './lanes';
import { WIRE_VERSION } from './messages';
import {
  PBFT_MAX_ACTION_BYTES,
  PBFT_MAX_BATCH_REQUESTS,
  PBFT_MAX_MESSAGE_BYTES,
  PBFT_MAX_REPLICAS,
  PBFT_MAX_RESULT_BYTES,
  PBFT_MAX_SNAPSHOT_BYTES,
  PBFT_MAX_WINDOW,
  PBFT_MESSAGE_TYPES,
  isPbftMessageType,
  type PbftMessage,
  type PbftMessageType,
} from './pbftMessages';
import { pbftSignatureChecks } from './pbftStatements';
import {
  A,
  bodyOf,
  digestOf,
  PBFT_SAMPLES,
  PROOF,
  rawFrame,
  REQUEST,
  sampleOf,
  sigOf,
  VIEW_CHANGE,
} from './pbftTestSupport';
import { RELAY_TYPE_CODE } from './relayFrame';
import { mutateFrame } from './frameMutation';

const MAX = PBFT_MAX_MESSAGE_BYTES;

type Path = (string | number)[];

/** The path as the codec names it: `a[0].b`. */
const pathText = (path: Path): string =>
  path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');

/** A copy of a sample's body with the value at `path` replaced (undefined: removed). */
function patched(type: PbftMessageType, path: Path, value: unknown): Record<string, unknown> {
  const body = bodyOf(type);
  let node = body as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return body;
}

const decodeBody = (type: PbftMessageType, body: unknown): DecodeResult =>
  decodeFrame(rawFrame(typeCodeOf(type), JSON.stringify(body)), MAX);

function expectInvalid(type: PbftMessageType, path: Path, value: unknown): void {
  const result = decodeBody(type, patched(type, path, value));
  const what = `${type} ${pathText(path)} = ${JSON.stringify(value)?.slice(0, 40)}`;
  expect(result.ok, what).toBe(false);
  if (result.ok) return;
  expect(result.reason, what).toBe('invalid-fields');
  expect(result.detail, what).toContain(pathText(path));
}

function expectAccepted(type: PbftMessageType, path: Path, value: unknown): void {
  const result = decodeBody(type, patched(type, path, value));
  expect(result.ok, `${type} ${pathText(path)}`).toBe(true);
}

const repeat = <T>(item: T, n: number): T[] => Array.from({ length: n }, () => item);

describe('pbft codec: round trips', () => {
  it('has one sample of every pbft message type', () => {
    expect(PBFT_SAMPLES.map((m) => m.type)).toEqual(PBFT_MESSAGE_TYPES);
  });

  it.each(PBFT_SAMPLES.map((msg) => [msg.type, msg] as const))('%s', (_type, msg) => {
    const frame = encodeFrame(msg, MAX);
    expect(frame[0]).toBe(WIRE_VERSION);
    expect(frame[1]).toBe(typeCodeOf(msg.type));
    const result = decodeFrame(frame, MAX);
    expect(result).toEqual({ ok: true, msg });
    // Same keys in the same order: the decoded message re-encodes to the same bytes.
    if (result.ok) expect(encodeFrame(result.msg, MAX)).toEqual(frame);
  });

  it('uses codes 33-47, clear of the relay (0x20) and lane (0x30, 0x31) codes', () => {
    const codes = PBFT_MESSAGE_TYPES.map(typeCodeOf);
    expect([...codes].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => 33 + i));
    for (const code of [RELAY_TYPE_CODE, CRDT_LANE_TYPE_CODE, CHAOS_LANE_TYPE_CODE]) {
      expect(codes).not.toContain(code);
      const result = decodeFrame(rawFrame(code, '{}'), MAX);
      expect(result.ok ? null : result.reason).toBe('unknown-type');
    }
  });

  it('drops unknown fields everywhere and rebuilds keys in interface order', () => {
    /** Keys reversed at every level, with an extra field in every object. */
    const scrambled = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(scrambled);
      if (typeof value !== 'object' || value === null) return value;
      const entries = Object.entries(value).reverse();
      return Object.fromEntries([
        ['extra', { x: 1 }],
        ...entries.map(([k, v]) => [k, scrambled(v)]),
      ]);
    };
    for (const msg of PBFT_SAMPLES) {
      const result = decodeBody(msg.type, scrambled(bodyOf(msg.type)));
      expect(result).toEqual({ ok: true, msg });
      if (result.ok) expect(JSON.stringify(result.msg)).toBe(JSON.stringify(msg));
    }
  });

  it('keeps the frame size limit: the host passes PBFT_MAX_MESSAGE_BYTES', () => {
    const big: PbftMessage = { ...sampleOf('pbft-state'), snapshot: 'x'.repeat(100_000) };
    expect(() => encodeFrame(big)).toThrow(FrameTooLargeError);
    const frame = encodeFrame(big, MAX);
    expect(decodeFrame(frame).ok).toBe(false);
    expect(decodeFrame(frame, MAX)).toEqual({ ok: true, msg: big });
  });

  it('the larger limit is for pBFT frames only: other types stay within the peer frame limit', () => {
    const hello = new TextEncoder().encode(
      JSON.stringify({ id: 'a'.repeat(64), signature: 'b'.repeat(128), pad: 'x'.repeat(70_000) }),
    );
    const frame = new Uint8Array([WIRE_VERSION, 1, ...hello]);
    const result = decodeFrame(frame, MAX);
    expect(result.ok ? null : result.reason).toBe('oversized');
  });
});

describe('pbft codec: strict validation', () => {
  it('agent ids are 64 lowercase hex', () => {
    const paths: [PbftMessageType, Path][] = [
      ['pbft-request', ['client']],
      ['pbft-prepare', ['replica']],
      ['pbft-batch', ['requests', 0, 'client']],
      ['pbft-view-change', ['checkpoints', 1, 'replica']],
      ['pbft-new-view', ['viewChanges', 0, 'prepared', 0, 'header', 'replica']],
      ['pbft-new-view', ['replica']],
      ['pbft-state', ['replica']],
      ['pbft-evidence', ['second', 'replica']],
    ];
    for (const [type, path] of paths) {
      for (const bad of [
        A.toUpperCase(),
        A.slice(2),
        `${A}0`,
        'z'.repeat(64),
        42,
        null,
        undefined,
      ]) {
        expectInvalid(type, path, bad);
      }
    }
  });

  it('digests and state digests are 64 lowercase hex', () => {
    const paths: [PbftMessageType, Path][] = [
      ['pbft-pre-prepare', ['digest']],
      ['pbft-commit', ['digest']],
      ['pbft-checkpoint', ['stateDigest']],
      ['pbft-view-change', ['stableDigest']],
      ['pbft-view-change', ['prepared', 0, 'prepares', 0, 'digest']],
      ['pbft-batch-request', ['digest']],
      ['pbft-state', ['stateDigest']],
      ['pbft-entries', ['entries', 1, 'digest']],
    ];
    const good = digestOf(0xab);
    for (const [type, path] of paths) {
      for (const bad of [
        good.toUpperCase(),
        good.slice(1),
        `${good}a`,
        sigOf(0xab),
        9,
        [],
        undefined,
      ]) {
        expectInvalid(type, path, bad);
      }
    }
  });

  it('every sig is 128 lowercase hex: received statements are always signed', () => {
    const paths: [PbftMessageType, Path][] = [
      ['pbft-request', ['sig']],
      ['pbft-pre-prepare', ['sig']],
      ['pbft-pre-prepare', ['requests', 1, 'sig']],
      ['pbft-checkpoint', ['sig']],
      ['pbft-view-change', ['sig']],
      ['pbft-view-change', ['prepared', 0, 'prepares', 1, 'sig']],
      ['pbft-new-view', ['sig']],
      ['pbft-new-view', ['viewChanges', 1, 'sig']],
      ['pbft-new-view', ['headers', 0, 'sig']],
      ['pbft-state', ['checkpoints', 2, 'sig']],
      ['pbft-entries', ['entries', 0, 'requests', 0, 'sig']],
      ['pbft-evidence', ['first', 'sig']],
    ];
    const good = sigOf(0xab);
    for (const [type, path] of paths) {
      for (const bad of [
        '',
        good.slice(1),
        good.toUpperCase(),
        `${good}00`,
        digestOf(0xab),
        null,
      ]) {
        expectInvalid(type, path, bad);
      }
    }
  });

  it('views, sequence numbers and request numbers are non-negative safe integers', () => {
    const paths: [PbftMessageType, Path][] = [
      ['pbft-request', ['reqNo']],
      ['pbft-prepare', ['view']],
      ['pbft-prepare', ['seq']],
      ['pbft-commit', ['seq']],
      ['pbft-reply', ['reqNo']],
      ['pbft-checkpoint', ['seq']],
      ['pbft-view-change', ['newView']],
      ['pbft-view-change', ['stableSeq']],
      ['pbft-new-view', ['view']],
      ['pbft-new-view', ['viewChanges', 0, 'checkpoints', 0, 'seq']],
      ['pbft-state-request', ['aboveSeq']],
      ['pbft-entries-request', ['fromSeq']],
      ['pbft-entries', ['entries', 0, 'seq']],
    ];
    for (const [type, path] of paths) {
      for (const bad of [-1, 1.5, 2 ** 53, 1e300, '5', null, true, undefined]) {
        expectInvalid(type, path, bad);
      }
      for (const good of [0, 2 ** 53 - 1]) expectAccepted(type, path, good);
    }
    // Infinity and -0 only appear in hand-written JSON.
    const aboveSeq = (text: string) => decodeFrame(rawFrame(43, `{"aboveSeq":${text}}`), MAX);
    expect(aboveSeq('1e999').ok).toBe(false);
    const zero = aboveSeq('-0');
    expect(
      zero.ok && zero.msg.type === 'pbft-state-request' && Object.is(zero.msg.aboveSeq, 0),
    ).toBe(true);
  });

  it('count is an integer 1..PBFT_MAX_WINDOW', () => {
    for (const bad of [0, -1, PBFT_MAX_WINDOW + 1, 1.5, '2', null]) {
      expectInvalid('pbft-entries-request', ['count'], bad);
    }
    for (const good of [1, PBFT_MAX_WINDOW])
      expectAccepted('pbft-entries-request', ['count'], good);
  });

  it('actions, results and snapshots are well-formed text within their byte limits', () => {
    const cases: [PbftMessageType, Path, number][] = [
      ['pbft-request', ['action'], PBFT_MAX_ACTION_BYTES],
      ['pbft-pre-prepare', ['requests', 0, 'action'], PBFT_MAX_ACTION_BYTES],
      ['pbft-entries', ['entries', 0, 'requests', 0, 'action'], PBFT_MAX_ACTION_BYTES],
      ['pbft-reply', ['result'], PBFT_MAX_RESULT_BYTES],
      ['pbft-state', ['snapshot'], PBFT_MAX_SNAPSHOT_BYTES],
    ];
    for (const [type, path, max] of cases) {
      expectAccepted(type, path, 'x'.repeat(max));
      expectAccepted(type, path, 'é'.repeat(max / 2));
      expectAccepted(type, path, '');
      expectInvalid(type, path, 'x'.repeat(max + 1));
      // Fewer UTF-16 units than the limit, but more UTF-8 bytes.
      expectInvalid(type, path, 'é'.repeat(max / 2 + 1));
      expectInvalid(type, path, '€'.repeat(Math.ceil((max + 1) / 3)));
      expectInvalid(type, path, '😀'.repeat(max / 4 + 1));
      // A lone surrogate would be signed as U+FFFD, so two texts would share a signature.
      for (const bad of ['\ud800', 'a\udc00', '\ud83d', '\ude00\ud83d', 42, null, undefined]) {
        expectInvalid(type, path, bad);
      }
    }
  });

  it('bounds requests to a batch, and every replica set to PBFT_MAX_REPLICAS', () => {
    const cases: [PbftMessageType, Path, unknown, number][] = [
      ['pbft-pre-prepare', ['requests'], REQUEST, PBFT_MAX_BATCH_REQUESTS],
      ['pbft-batch', ['requests'], REQUEST, PBFT_MAX_BATCH_REQUESTS],
      ['pbft-entries', ['entries', 0, 'requests'], REQUEST, PBFT_MAX_BATCH_REQUESTS],
      ['pbft-view-change', ['checkpoints'], VIEW_CHANGE.checkpoints[0], PBFT_MAX_REPLICAS],
      ['pbft-state', ['checkpoints'], VIEW_CHANGE.checkpoints[0], PBFT_MAX_REPLICAS],
      ['pbft-new-view', ['viewChanges'], VIEW_CHANGE, PBFT_MAX_REPLICAS],
      ['pbft-view-change', ['prepared', 0, 'prepares'], PROOF.prepares[0], PBFT_MAX_REPLICAS],
    ];
    for (const [type, path, item, max] of cases) {
      expectAccepted(type, path, repeat(item, max));
      expectInvalid(type, path, repeat(item, max + 1));
      for (const bad of [{}, item, 'x', null, undefined]) expectInvalid(type, path, bad);
    }
  });

  it('bounds proofs, headers and entries to PBFT_MAX_WINDOW', () => {
    const cases: [PbftMessageType, Path, unknown][] = [
      ['pbft-view-change', ['prepared'], PROOF],
      ['pbft-new-view', ['headers'], PROOF.header],
      ['pbft-entries', ['entries'], { seq: 1, digest: digestOf(1), requests: [] }],
    ];
    for (const [type, path, item] of cases) {
      expectAccepted(type, path, repeat(item, PBFT_MAX_WINDOW));
      expectInvalid(type, path, repeat(item, PBFT_MAX_WINDOW + 1));
      expectInvalid(type, path, {});
    }
  });

  it('nested statements must be objects', () => {
    const paths: [PbftMessageType, Path][] = [
      ['pbft-evidence', ['first']],
      ['pbft-batch', ['requests', 0]],
      ['pbft-view-change', ['prepared', 0]],
      ['pbft-view-change', ['prepared', 0, 'header']],
      ['pbft-new-view', ['viewChanges', 1]],
      ['pbft-entries', ['entries', 0]],
    ];
    for (const [type, path] of paths) {
      for (const bad of [[], 'x', 1, null, undefined]) expectInvalid(type, path, bad);
    }
  });
});

describe('pbft codec fuzz', () => {
  const PIECES = [
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"view"',
    '"seq"',
    '"digest"',
    '"replica"',
    '"sig"',
    '"requests"',
    '"aboveSeq"',
    '"fromSeq"',
    '"count"',
    `"${A}"`,
    `"${digestOf(1)}"`,
    `"${sigOf(1)}"`,
    '0',
    '1',
    '-1',
    '0.5',
    '9007199254740992',
    'null',
    'true',
    '"x"',
  ];
  const VALUES: unknown[] = [
    null,
    true,
    0,
    1,
    -1,
    1.5,
    2 ** 53,
    '',
    'x',
    '\ud800',
    A,
    digestOf(2),
    sigOf(2),
    [],
    [1],
    {},
    { a: 1 },
  ];

  /** Every (container, key) of a JSON value, so one can be replaced. */
  function slots(value: unknown, into: [Record<string | number, unknown>, string | number][]) {
    if (typeof value !== 'object' || value === null) return into;
    for (const [key, child] of Object.entries(value)) {
      into.push([value as Record<string, unknown>, Array.isArray(value) ? Number(key) : key]);
      slots(child, into);
    }
    return into;
  }

  /** A sample whose JSON has one value replaced: by another type, or by a value from elsewhere. */
  function replaceValue(prng: Prng): Uint8Array {
    const type = PBFT_MESSAGE_TYPES[prng.nextInt(PBFT_MESSAGE_TYPES.length)] as PbftMessageType;
    const body = bodyOf(type);
    const all = slots(body, []);
    if (all.length > 0) {
      const [container, key] = all[prng.nextInt(all.length)] as (typeof all)[number];
      const donor = all[prng.nextInt(all.length)] as (typeof all)[number];
      container[key] =
        prng.nextInt(2) === 0
          ? VALUES[prng.nextInt(VALUES.length)]
          : JSON.parse(JSON.stringify(donor[0][donor[1]] ?? null));
    }
    return rawFrame(typeCodeOf(type), JSON.stringify(body));
  }

  function generate(prng: Prng): Uint8Array {
    const code = 33 + prng.nextInt(15);
    const sample = PBFT_SAMPLES[prng.nextInt(PBFT_SAMPLES.length)] as PbftMessage;
    switch (prng.nextInt(5)) {
      case 0:
        return rawFrame(
          code,
          Uint8Array.from({ length: prng.nextInt(64) }, () => prng.nextInt(256)),
        );
      case 1: {
        let text = '';
        for (let i = 1 + prng.nextInt(30); i > 0; i--) text += PIECES[prng.nextInt(PIECES.length)];
        return rawFrame(code, text);
      }
      case 2:
        return mutateFrame(prng, encodeFrame(sample, MAX));
      case 3:
        return replaceValue(prng);
      default: {
        // A valid body under another pbft type code.
        const frame = encodeFrame(sample, MAX);
        frame[1] = code;
        return frame;
      }
    }
  }

  it('never throws; what it accepts re-encodes to itself and has checkable signatures', () => {
    const problems: string[] = [];
    const outcomes = new Map<string, number>();
    for (const seed of [1, 0xbf7]) {
      const prng = createSeededPrng(seed);
      for (let i = 0; i < 4000; i++) {
        const frame = generate(prng);
        let result: DecodeResult;
        try {
          result = decodeFrame(frame, MAX);
        } catch (error) {
          problems.push(`threw ${String(error)}`);
          continue;
        }
        const outcome = result.ok ? `ok:${result.msg.type}` : result.reason;
        if (result.ok && !isPbftMessageType(result.msg.type)) problems.push(result.msg.type);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (!result.ok) {
          if (result.detail.length > 200) problems.push(`long detail ${result.detail}`);
          continue;
        }
        const again = decodeFrame(encodeFrame(result.msg, MAX), MAX);
        if (JSON.stringify(again) !== JSON.stringify(result)) {
          problems.push(`no canonical round trip for ${JSON.stringify(result.msg).slice(0, 200)}`);
        }
        try {
          // Every code in the fuzz is a pbft code, so every success is a pbft message.
          for (const check of pbftSignatureChecks(result.msg as PbftMessage)) {
            if (!isAgentId(check.signer) || !/^[0-9a-f]{128}$/.test(check.sig)) {
              problems.push(`bad check in ${result.msg.type}`);
            }
          }
        } catch (error) {
          problems.push(`signature checks threw ${String(error)}`);
        }
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
    for (const type of PBFT_MESSAGE_TYPES) {
      expect(outcomes.get(`ok:${type}`) ?? 0, type).toBeGreaterThan(0);
    }
    expect(outcomes.get('invalid-fields') ?? 0).toBeGreaterThan(500);
    expect(outcomes.get('malformed-body') ?? 0).toBeGreaterThan(500);
  });
});
