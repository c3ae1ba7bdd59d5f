import { describe, expect, it } from 'vitest';
import { AssertionError } from '../base/assert';
import { isAgentId, type AgentId } from '../base/ids';
import { hexFieldsOf, recordingInterner } from '../base/testSupport';
import { createSeededPrng, type Prng } from '../base/prng';
import { decodeFrame, encodeFrame, FrameTooLargeError, type DecodeFailure } from './codec';
import {
  DEFAULT_MAX_FRAME_BYTES,
  MAX_ADVERT_LINKS,
  MAX_REACH_AGE_MS,
  REACH_NOT_HEARD,
  WIRE_VERSION,
  type PeerMessage,
} from './messages';
import { mutateFrame } from './frameMutation';

const ID_A = 'a1'.repeat(32) as AgentId;
const ID_B = '0b'.repeat(32) as AgentId;
const SIGNATURE = 'c3'.repeat(64);
const utf8 = new TextEncoder();

/** A frame with the given type code and a raw body. */
function rawFrame(typeCode: number, body: string | Uint8Array, version = WIRE_VERSION): Uint8Array {
  const bytes = typeof body === 'string' ? utf8.encode(body) : body;
  const frame = new Uint8Array(bytes.length + 2);
  frame[0] = version;
  frame[1] = typeCode;
  frame.set(bytes, 2);
  return frame;
}

function probeFrame(typeCode: number, seq: number, sentAtMs: number): Uint8Array {
  const frame = new Uint8Array(14);
  frame[0] = WIRE_VERSION;
  frame[1] = typeCode;
  const view = new DataView(frame.buffer);
  view.setUint32(2, seq);
  view.setFloat64(6, sentAtMs);
  return frame;
}

/** A links frame built by hand from the documented layout, independent of the encoder. */
/** [version][4][count u16][advert version u32 = 7][rtts f64][ids], as the codec documents. */
function linksFrame(entries: { id: string; rttMs: number }[], count = entries.length): Uint8Array {
  const frame = new Uint8Array(8 + entries.length * 72);
  const view = new DataView(frame.buffer);
  frame[0] = WIRE_VERSION;
  frame[1] = 4;
  view.setUint16(2, count);
  view.setUint32(4, 7);
  entries.forEach((entry, i) => {
    view.setFloat64(8 + 8 * i, entry.rttMs);
    frame.set(utf8.encode(entry.id), 8 + 8 * entries.length + 64 * i);
  });
  return frame;
}

function expectFailure(frame: Uint8Array, reason: DecodeFailure, maxBytes?: number): void {
  const result = decodeFrame(frame, maxBytes);
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.reason).toBe(reason);
    expect(result.detail.length).toBeLessThanOrEqual(200);
  }
}

function sortedKeys(value: object): string {
  return Object.keys(value).sort().join(',');
}

/** An oracle written from messages.ts, independent of the codec: what a valid message is. */
function problemWith(msg: PeerMessage): string | null {
  switch (msg.type) {
    case 'hello':
      if (sortedKeys(msg) !== 'id,signature,type') return `hello keys ${sortedKeys(msg)}`;
      if (!isAgentId(msg.id)) return 'hello id';
      return /^[0-9a-f]{128}$/.test(msg.signature) ? null : 'hello signature';
    case 'ping':
    case 'pong': {
      const keys =
        msg.type === 'ping' && msg.reach !== undefined
          ? 'reach,sentAtMs,seq,type'
          : 'sentAtMs,seq,type';
      if (sortedKeys(msg) !== keys) return `${msg.type} keys ${sortedKeys(msg)}`;
      if (!Number.isInteger(msg.seq) || msg.seq < 0 || msg.seq >= 2 ** 32) return 'seq';
      if (msg.type === 'ping' && msg.reach !== undefined) {
        const { advertVersion, agesMs } = msg.reach;
        if (sortedKeys(msg.reach) !== 'advertVersion,agesMs') return 'reach keys';
        if (!Number.isInteger(advertVersion) || advertVersion < 0 || advertVersion >= 2 ** 32)
          return 'advertVersion';
        if (agesMs.length > MAX_ADVERT_LINKS) return 'reach list';
        if (!agesMs.every((age) => Number.isInteger(age) && age >= 0 && age <= 0xffff))
          return 'reach age';
      }
      return Number.isFinite(msg.sentAtMs) ? null : 'sentAtMs';
    }
    case 'links':
      if (sortedKeys(msg) !== 'links,type,version') return `links keys ${sortedKeys(msg)}`;
      if (!Number.isInteger(msg.version) || msg.version < 0 || msg.version >= 2 ** 32)
        return 'links version';
      if (!Array.isArray(msg.links) || msg.links.length > MAX_ADVERT_LINKS) return 'links list';
      for (const link of msg.links) {
        if (sortedKeys(link) !== 'peer,rttMs') return `link keys ${sortedKeys(link)}`;
        if (!isAgentId(link.peer)) return 'link peer';
        const { rttMs } = link;
        if (rttMs !== null && !(Number.isFinite(rttMs) && rttMs >= 0)) return 'link rtt';
      }
      return null;
    case 'bye':
      return sortedKeys(msg) === 'type' ? null : `bye keys ${sortedKeys(msg)}`;
    default:
      return `unknown type ${(msg as { type: unknown }).type}`;
  }
}

const SAMPLES: PeerMessage[] = [
  { type: 'hello', id: ID_A, signature: SIGNATURE },
  { type: 'ping', seq: 1, sentAtMs: 0 },
  { type: 'ping', seq: 2 ** 32 - 1, sentAtMs: 1_700_000_000_123.456 },
  { type: 'ping', seq: 3, sentAtMs: 10, reach: { advertVersion: 2 ** 32 - 1, agesMs: [] } },
  {
    type: 'ping',
    seq: 4,
    sentAtMs: 10,
    reach: { advertVersion: 9, agesMs: [0, 1500, REACH_NOT_HEARD, MAX_REACH_AGE_MS] },
  },
  { type: 'pong', seq: 0, sentAtMs: 12.5 },
  { type: 'pong', seq: 77, sentAtMs: -3 },
  { type: 'links', version: 1, links: [] },
  {
    type: 'links',
    version: 7,
    links: [
      { peer: ID_A, rttMs: null },
      { peer: ID_B, rttMs: 12.345 },
      { peer: ID_B, rttMs: 0 },
    ],
  },
  {
    type: 'links',
    version: 7,
    links: Array.from({ length: MAX_ADVERT_LINKS }, (_, i) => ({
      peer: i.toString(16).padStart(64, '0') as AgentId,
      rttMs: i % 3 === 0 ? null : i / 7,
    })),
  },
  { type: 'bye' },
];

describe('codec round trips', () => {
  it.each(SAMPLES.map((msg) => [msg.type, msg] as const))('%s', (_type, msg) => {
    const frame = encodeFrame(msg);
    expect(frame[0]).toBe(WIRE_VERSION);
    const result = decodeFrame(frame);
    expect(result).toEqual({ ok: true, msg });
    if (result.ok) expect(problemWith(result.msg)).toBeNull();
  });

  it('encodes probes as fixed 14-byte binary frames and the rest as JSON', () => {
    expect(encodeFrame({ type: 'ping', seq: 5, sentAtMs: 1 })).toHaveLength(14);
    expect(encodeFrame({ type: 'pong', seq: 5, sentAtMs: 1 })).toHaveLength(14);
    const bye = encodeFrame({ type: 'bye' });
    expect(Array.from(bye)).toEqual([WIRE_VERSION, 5, ...utf8.encode('{}')]);
  });

  it('decodes a probe that sits at an offset inside a larger buffer', () => {
    const inner = encodeFrame({ type: 'pong', seq: 4242, sentAtMs: 99.25 });
    const outer = new Uint8Array(inner.length + 7).fill(0xee);
    outer.set(inner, 3);
    const result = decodeFrame(outer.subarray(3, 3 + inner.length));
    expect(result).toEqual({ ok: true, msg: { type: 'pong', seq: 4242, sentAtMs: 99.25 } });
  });

  it('hands every advertised peer id to the interner', () => {
    const adverts = SAMPLES.filter((msg) => msg.type === 'links' && msg.links.length > 0);
    expect(adverts.length).toBeGreaterThan(0);
    for (const msg of adverts) {
      const interner = recordingInterner();
      expect(decodeFrame(encodeFrame(msg), undefined, interner)).toEqual({ ok: true, msg });
      expect([...interner.seen].sort()).toEqual([...new Set(hexFieldsOf(msg))].sort());
    }
  });

  it('refuses to encode a frame over the limit', () => {
    const big = SAMPLES.find(
      (msg) => msg.type === 'links' && msg.links.length === MAX_ADVERT_LINKS,
    ) as PeerMessage;
    expect(() => encodeFrame(big, 1000)).toThrow(FrameTooLargeError);
    // Exactly at the limit is fine.
    const bye = encodeFrame({ type: 'bye' });
    expect(encodeFrame({ type: 'bye' }, bye.length)).toEqual(bye);
    expect(() => encodeFrame({ type: 'bye' }, bye.length - 1)).toThrow(FrameTooLargeError);
  });
});

describe('decode failures', () => {
  it('oversized: longer than the limit, checked before anything else', () => {
    expectFailure(new Uint8Array(DEFAULT_MAX_FRAME_BYTES + 1), 'oversized');
    expectFailure(encodeFrame({ type: 'ping', seq: 1, sentAtMs: 1 }), 'oversized', 13);
    expect(decodeFrame(encodeFrame({ type: 'ping', seq: 1, sentAtMs: 1 }), 14).ok).toBe(true);
  });

  it('truncated: no header, or a probe of the wrong length', () => {
    expectFailure(new Uint8Array(0), 'truncated');
    expectFailure(Uint8Array.of(WIRE_VERSION), 'truncated');
    const ping = encodeFrame({ type: 'ping', seq: 1, sentAtMs: 1 });
    expectFailure(ping.subarray(0, 13), 'truncated');
    expectFailure(Uint8Array.of(...ping, 0), 'truncated');
    expectFailure(Uint8Array.of(WIRE_VERSION, 3), 'truncated');
  });

  it('bad-version: any other first byte', () => {
    for (const version of [0, WIRE_VERSION - 1, WIRE_VERSION + 1, 255]) {
      expectFailure(rawFrame(5, '{}', version), 'bad-version');
    }
  });

  it('unknown-type: codes outside the table', () => {
    for (const code of [0, 6, 7, 128, 255]) expectFailure(rawFrame(code, '{}'), 'unknown-type');
  });

  it('malformed-body: not JSON, not UTF-8, or not an object', () => {
    expectFailure(rawFrame(5, ''), 'malformed-body');
    expectFailure(rawFrame(5, '{'), 'malformed-body');
    expectFailure(rawFrame(1, '{"id":'), 'malformed-body');
    expectFailure(rawFrame(5, Uint8Array.of(0x7b, 0xff, 0x7d)), 'malformed-body');
    expectFailure(rawFrame(5, Uint8Array.of(0x22, 0xc3, 0x22)), 'malformed-body'); // cut sequence
    for (const body of ['[]', 'null', '1', '"bye"', 'true']) {
      expectFailure(rawFrame(5, body), 'malformed-body');
    }
    expectFailure(rawFrame(5, '['.repeat(60_000)), 'malformed-body');
  });

  it('invalid-fields: hello', () => {
    const hello = (fields: object) => rawFrame(1, JSON.stringify(fields));
    expectFailure(hello({ id: ID_A }), 'invalid-fields');
    expectFailure(hello({ signature: SIGNATURE }), 'invalid-fields');
    expectFailure(hello({ id: ID_A.toUpperCase(), signature: SIGNATURE }), 'invalid-fields');
    expectFailure(hello({ id: ID_A, signature: SIGNATURE.toUpperCase() }), 'invalid-fields');
    expectFailure(hello({ id: ID_A, signature: SIGNATURE.slice(2) }), 'invalid-fields');
    expectFailure(hello({ id: ID_A, signature: 42 }), 'invalid-fields');
  });

  it('links: a hand-built frame of the documented layout decodes', () => {
    const frame = linksFrame([
      { id: ID_A, rttMs: 1.5 },
      { id: ID_B, rttMs: Number.NaN },
    ]);
    expect(frame).toHaveLength(8 + 2 * 72);
    expect(decodeFrame(frame)).toEqual({
      ok: true,
      msg: {
        type: 'links',
        version: 7,
        links: [
          { peer: ID_A, rttMs: 1.5 },
          { peer: ID_B, rttMs: null },
        ],
      },
    });
    // Any NaN bit pattern stands for null, not only the one the encoder writes.
    const otherNaN = linksFrame([{ id: ID_A, rttMs: 0 }]);
    otherNaN.set([0x7f, 0xf8, 0, 0, 0, 0, 0, 1], 8);
    expect(decodeFrame(otherNaN)).toEqual({
      ok: true,
      msg: { type: 'links', version: 7, links: [{ peer: ID_A, rttMs: null }] },
    });
  });

  it('ping reach reports: the documented layout, and every bad length or count refused', () => {
    const ping = encodeFrame({
      type: 'ping',
      seq: 1,
      sentAtMs: 2,
      reach: { advertVersion: 5, agesMs: [7, 0xffff] },
    });
    // [version][2][seq u32][sentAtMs f64][advert version u32][count u16][ages u16...]
    expect(Array.from(ping.subarray(14))).toEqual([0, 0, 0, 5, 0, 2, 0, 7, 0xff, 0xff]);
    expectFailure(ping.subarray(0, ping.length - 1), 'truncated');
    expectFailure(ping.subarray(0, 17), 'truncated');
    expectFailure(Uint8Array.of(...ping, 0, 0), 'malformed-body');
    const tooMany = Uint8Array.from(ping);
    new DataView(tooMany.buffer).setUint16(18, MAX_ADVERT_LINKS + 1);
    expectFailure(tooMany, 'invalid-fields');
    // A pong never carries a report.
    const pong = encodeFrame({ type: 'pong', seq: 1, sentAtMs: 2 });
    expectFailure(Uint8Array.of(...pong, ...ping.subarray(14)), 'malformed-body');
  });

  it('links: truncated and trailing bytes', () => {
    expectFailure(Uint8Array.of(WIRE_VERSION, 4), 'truncated');
    expectFailure(Uint8Array.of(WIRE_VERSION, 4, 0), 'truncated');
    const two = linksFrame([
      { id: ID_A, rttMs: 1 },
      { id: ID_B, rttMs: 2 },
    ]);
    expectFailure(two.subarray(0, two.length - 1), 'truncated');
    expectFailure(linksFrame([{ id: ID_A, rttMs: 1 }], 2), 'truncated');
    expectFailure(linksFrame([{ id: ID_A, rttMs: 1 }], 0), 'malformed-body');
    expectFailure(Uint8Array.of(...two, 0), 'malformed-body');
  });

  it('invalid-fields: links', () => {
    const tooMany = Array.from({ length: MAX_ADVERT_LINKS + 1 }, () => ({ id: ID_A, rttMs: 1 }));
    expectFailure(linksFrame(tooMany), 'invalid-fields');
    expectFailure(linksFrame([{ id: ID_A.toUpperCase(), rttMs: 1 }]), 'invalid-fields');
    expectFailure(linksFrame([{ id: `${ID_A.slice(0, 63)}g`, rttMs: 1 }]), 'invalid-fields');
    const nonAscii = linksFrame([{ id: ID_A, rttMs: 1 }]);
    nonAscii[8 + 8 + 63] = 0xe9;
    expectFailure(nonAscii, 'invalid-fields');
    expectFailure(linksFrame([{ id: ID_A, rttMs: -1 }]), 'invalid-fields');
    expectFailure(linksFrame([{ id: ID_A, rttMs: Number.POSITIVE_INFINITY }]), 'invalid-fields');
    expectFailure(
      linksFrame([
        { id: ID_A, rttMs: 1 },
        { id: ID_B, rttMs: Number.NEGATIVE_INFINITY },
      ]),
      'invalid-fields',
    );
  });

  it('refuses to encode an advert whose peer is not 64 characters', () => {
    const msg = {
      type: 'links',
      version: 1,
      links: [{ peer: 'abc' as AgentId, rttMs: null }],
    } as const;
    expect(() => encodeFrame({ ...msg, links: [...msg.links] })).toThrow(AssertionError);
  });

  it('invalid-fields: probes whose timestamp is not finite', () => {
    expectFailure(probeFrame(2, 1, Number.NaN), 'invalid-fields');
    expectFailure(probeFrame(3, 1, Number.POSITIVE_INFINITY), 'invalid-fields');
    expectFailure(probeFrame(3, 1, Number.NEGATIVE_INFINITY), 'invalid-fields');
  });

  it('ignores unknown top-level fields of JSON bodies', () => {
    expect(decodeFrame(rawFrame(5, '{"type":"hello","x":[1]}'))).toEqual({
      ok: true,
      msg: { type: 'bye' },
    });
  });
});

describe('decode fuzz', () => {
  const JSON_PIECES = [
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"links"',
    '"peer"',
    '"rttMs"',
    '"id"',
    '"signature"',
    `"${ID_A}"`,
    `"${SIGNATURE}"`,
    'null',
    'true',
    '-1',
    '0',
    '12.5',
    '1e999',
    '"x"',
    ' ',
  ];

  function randomBytes(prng: Prng, length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = prng.nextInt(256);
    return bytes;
  }

  function randomJsonish(prng: Prng): string {
    let text = '';
    const pieces = 1 + prng.nextInt(40);
    for (let i = 0; i < pieces; i++) text += JSON_PIECES[prng.nextInt(JSON_PIECES.length)];
    return text;
  }

  function generate(prng: Prng): Uint8Array {
    switch (prng.nextInt(4)) {
      case 0:
        return randomBytes(prng, prng.nextInt(64));
      case 1:
        return rawFrame(1 + prng.nextInt(5), randomBytes(prng, prng.nextInt(40)));
      case 2:
        return rawFrame(1 + prng.nextInt(5), randomJsonish(prng));
      default:
        return mutateFrame(prng, encodeFrame(SAMPLES[prng.nextInt(SAMPLES.length)] as PeerMessage));
    }
  }

  it('never throws and only returns valid, canonically re-encodable messages', () => {
    const prng = createSeededPrng(0xc0dec);
    const outcomes = new Map<string, number>();
    const problems: string[] = [];
    for (let i = 0; i < 25_000; i++) {
      const frame = generate(prng);
      let result: ReturnType<typeof decodeFrame>;
      try {
        result = decodeFrame(frame, 512);
      } catch (error) {
        problems.push(`threw ${String(error)} on ${Array.from(frame).join(',')}`);
        continue;
      }
      const outcome = result.ok ? `ok:${result.msg.type}` : result.reason;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (!result.ok) continue;
      const problem = problemWith(result.msg);
      if (problem !== null) problems.push(`${problem} in ${JSON.stringify(result.msg)}`);
      const again = decodeFrame(encodeFrame(result.msg));
      if (JSON.stringify(again) !== JSON.stringify(result)) {
        problems.push(`no canonical round trip for ${JSON.stringify(result.msg)}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // The fuzz reaches every outcome, so it exercises each branch of the decoder.
    const reasons: DecodeFailure[] = [
      'oversized',
      'truncated',
      'bad-version',
      'unknown-type',
      'malformed-body',
      'invalid-fields',
    ];
    for (const reason of reasons.filter((r) => r !== 'oversized')) {
      expect(outcomes.get(reason) ?? 0, reason).toBeGreaterThan(0);
    }
    for (const type of ['hello', 'ping', 'pong', 'links', 'bye']) {
      expect(outcomes.get(`ok:${type}`) ?? 0, type).toBeGreaterThan(0);
    }
    // Mutated copies of the 256-link sample exceed 512 bytes.
    expect(outcomes.get('oversized') ?? 0).toBeGreaterThan(0);
  });
});
