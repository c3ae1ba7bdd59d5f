import { describe, expect, it } from 'vitest';
import { isAgentId, type AgentId } from '../base/ids';
import { createSeededPrng, type Prng } from '../base/prng';
import { hexFieldsOf, recordingInterner } from '../base/testSupport';
import { signedClaimsOf } from './claims';
import { decodeFrame, encodeFrame, type DecodeFailure } from './codec';
import { WIRE_VERSION, type PeerMessage } from './messages';
import {
  MAX_APP_VALUE_CHARS,
  MAX_FACTS_PER_MESSAGE,
  MAX_SUMMARY_MEMBERS,
  MAX_SYNC_MEMBERS,
  SYNC_BUCKETS,
  syncBucketOf,
  type SwimFact,
  type SwimMessage,
} from './swimMessages';
import { aliveStatement, appStatement, leftStatement, loadStatement } from './swimStatements';
import { mutateFrame } from './frameMutation';

const A = 'a1'.repeat(32) as AgentId;
const B = '0b'.repeat(32) as AgentId;
const SIG = 'c3'.repeat(64);
const utf8 = new TextEncoder();
const CODES: Record<SwimMessage['type'], number> = {
  'swim-probe': 16,
  'swim-ack': 17,
  'swim-probe-req': 18,
  'swim-nack': 19,
  'swim-gossip': 20,
  'swim-digest': 21,
  'swim-state': 22,
  'swim-summary': 23,
};

const FACTS: SwimFact[] = [
  { kind: 'alive', subject: A, incarnation: 0, signature: SIG },
  { kind: 'suspect', subject: B, incarnation: 7, by: A },
  { kind: 'dead', subject: B, incarnation: 2 ** 32 - 1, by: A },
  { kind: 'left', subject: A, incarnation: 3, signature: SIG },
  { kind: 'load', subject: A, version: 9, load: { cpu: 0.5 }, signature: SIG },
  {
    kind: 'load',
    subject: B,
    version: 1,
    load: { cpu: 1, memory: 0, tasks: 12 },
    signature: SIG,
  },
  { kind: 'app', subject: A, key: 'role:db/v1', version: 1, value: 'primäry ✓', signature: SIG },
  { kind: 'app', subject: B, key: 'x', version: 4, value: '', signature: SIG },
];

const SAMPLES: SwimMessage[] = [
  { type: 'swim-probe', seq: 1, facts: [] },
  { type: 'swim-probe', seq: 2 ** 32 - 1, facts: FACTS },
  { type: 'swim-ack', seq: 0, facts: [FACTS[1] as SwimFact] },
  { type: 'swim-probe-req', seq: 5, target: B, facts: [] },
  { type: 'swim-nack', seq: 5, facts: [FACTS[2] as SwimFact] },
  { type: 'swim-gossip', facts: FACTS },
  { type: 'swim-digest', hashes: Array.from({ length: SYNC_BUCKETS }, (_, i) => i * 0x01000193) },
  {
    type: 'swim-summary',
    buckets: [3, 0, 31],
    members: [
      [A, 4, 0, 0],
      [B, 0, 7, 12],
    ],
    remaining: 2,
  },
  {
    type: 'swim-state',
    members: [
      { fact: FACTS[0] as never, agreed: true },
      { fact: FACTS[2] as never, agreed: false },
    ],
    facts: [FACTS[4] as SwimFact, FACTS[6] as SwimFact],
    want: [A, B],
    reply: false,
  },
  { type: 'swim-state', members: [], facts: [], want: [], reply: true },
];

function rawFrame(code: number, body: unknown): Uint8Array {
  const json = utf8.encode(typeof body === 'string' ? body : JSON.stringify(body));
  const frame = new Uint8Array(json.length + 2);
  frame[0] = WIRE_VERSION;
  frame[1] = code;
  frame.set(json, 2);
  return frame;
}

function expectFailure(frame: Uint8Array, reason: DecodeFailure): void {
  const result = decodeFrame(frame);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toBe(reason);
}

function keysOf(value: object): string {
  return Object.keys(value).sort().join(',');
}

const HEX128 = /^[0-9a-f]{128}$/;
const U32 = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < 2 ** 32;
const FRACTION = (n: unknown) => typeof n === 'number' && n >= 0 && n <= 1;

/** An oracle written from swimMessages.ts, independent of the codec: what a valid fact is. */
function factProblem(fact: SwimFact): string | null {
  if (!isAgentId(fact.subject)) return 'subject';
  switch (fact.kind) {
    case 'alive':
    case 'left':
      if (keysOf(fact) !== 'incarnation,kind,signature,subject') return `${fact.kind} keys`;
      return U32(fact.incarnation) && HEX128.test(fact.signature) ? null : fact.kind;
    case 'suspect':
    case 'dead':
      if (keysOf(fact) !== 'by,incarnation,kind,subject') return `${fact.kind} keys`;
      return U32(fact.incarnation) && isAgentId(fact.by) ? null : fact.kind;
    case 'load': {
      if (keysOf(fact) !== 'kind,load,signature,subject,version') return 'load keys';
      const { cpu, memory, tasks } = fact.load;
      if (!FRACTION(cpu) || (memory !== undefined && !FRACTION(memory))) return 'load fraction';
      if (tasks !== undefined && !(Number.isInteger(tasks) && tasks >= 0)) return 'load tasks';
      return U32(fact.version) && HEX128.test(fact.signature) ? null : 'load';
    }
    case 'app':
      if (keysOf(fact) !== 'key,kind,signature,subject,value,version') return 'app keys';
      if (!/^[A-Za-z0-9._:/-]{1,32}$/.test(fact.key)) return 'app key';
      if (fact.value.length > MAX_APP_VALUE_CHARS) return 'app value';
      return U32(fact.version) && HEX128.test(fact.signature) ? null : 'app';
  }
}

function messageProblem(msg: PeerMessage): string | null {
  const factsProblem = (facts: SwimFact[], max: number) =>
    facts.length > max
      ? 'too many facts'
      : (facts.map(factProblem).find((p) => p !== null) ?? null);
  switch (msg.type) {
    case 'swim-probe':
    case 'swim-ack':
    case 'swim-nack':
      return U32(msg.seq) ? factsProblem(msg.facts, MAX_FACTS_PER_MESSAGE) : 'seq';
    case 'swim-probe-req':
      if (!U32(msg.seq) || !isAgentId(msg.target)) return 'probe-req';
      return factsProblem(msg.facts, MAX_FACTS_PER_MESSAGE);
    case 'swim-gossip':
      return msg.facts.length === 0
        ? 'empty gossip'
        : factsProblem(msg.facts, MAX_FACTS_PER_MESSAGE);
    case 'swim-digest':
      return msg.hashes.length === SYNC_BUCKETS && msg.hashes.every(U32) ? null : 'digest';
    case 'swim-summary':
      if (new Set(msg.buckets).size !== msg.buckets.length) return 'repeated bucket';
      if (msg.members.length > MAX_SUMMARY_MEMBERS) return 'summary size';
      for (const [id, incarnation, code, appSum] of msg.members) {
        if (!isAgentId(id) || !U32(incarnation) || !U32(appSum)) return 'summary entry';
        if (!(Number.isInteger(code) && code >= 0 && code <= 7)) return 'summary code';
      }
      return null;
    case 'swim-state':
      if (msg.members.length > MAX_SYNC_MEMBERS || msg.want.length > MAX_SYNC_MEMBERS) {
        return 'state size';
      }
      if (!msg.want.every(isAgentId)) return 'want';
      if (msg.facts.some((f) => f.kind !== 'load' && f.kind !== 'app')) return 'state facts';
      for (const member of msg.members) {
        const kind = (member.fact as SwimFact).kind;
        if (kind === 'load' || kind === 'app') return 'member kind';
        const problem = factProblem(member.fact);
        if (problem !== null) return problem;
      }
      return factsProblem(msg.facts, 256);
    default:
      return null;
  }
}

describe('swim codec: round trips', () => {
  it.each(SAMPLES.map((msg, i) => [`${i} ${msg.type}`, msg] as const))('%s', (_name, msg) => {
    const frame = encodeFrame(msg);
    expect(frame[0]).toBe(WIRE_VERSION);
    expect(frame[1]).toBe(CODES[msg.type]);
    const result = decodeFrame(frame);
    expect(result).toEqual({ ok: true, msg });
    if (result.ok) expect(messageProblem(result.msg)).toBeNull();
  });

  it('hands every id and signature it reads to the interner', () => {
    for (const msg of SAMPLES) {
      const interner = recordingInterner();
      expect(decodeFrame(encodeFrame(msg), undefined, interner)).toEqual({ ok: true, msg });
      expect([...interner.seen].sort(), msg.type).toEqual([...new Set(hexFieldsOf(msg))].sort());
    }
  });

  it('encodes fact-less probes, acks, nacks and digests as small binary frames', () => {
    for (const type of ['swim-probe', 'swim-ack', 'swim-nack'] as const) {
      const frame = encodeFrame({ type, seq: 0x01020304, facts: [] });
      expect(Array.from(frame)).toEqual([WIRE_VERSION, CODES[type], 1, 2, 3, 4]);
      // With facts they are JSON.
      expect(encodeFrame({ type, seq: 1, facts: [FACTS[1] as SwimFact] })[2]).toBe(0x7b);
    }
    const hashes = Array.from({ length: SYNC_BUCKETS }, (_, i) => (i * 0x9e3779b9) >>> 0);
    const digest = encodeFrame({ type: 'swim-digest', hashes });
    expect(digest).toHaveLength(2 + 4 * SYNC_BUCKETS);
    expect(decodeFrame(digest)).toEqual({ ok: true, msg: { type: 'swim-digest', hashes } });
  });

  it('drops unknown fields, everywhere, and keeps only the known ones', () => {
    const frame = rawFrame(20, {
      facts: [
        { ...FACTS[0], extra: 1 },
        { ...FACTS[4], load: { cpu: 0.1, gpu: 2 } },
      ],
      padding: 'x',
    });
    expect(decodeFrame(frame)).toEqual({
      ok: true,
      msg: {
        type: 'swim-gossip',
        facts: [FACTS[0], { ...FACTS[4], load: { cpu: 0.1 } }],
      },
    });
  });

  it('puts ids in one of 32 buckets by their first byte', () => {
    expect(syncBucketOf(('00' + 'f'.repeat(62)) as AgentId)).toBe(0);
    expect(syncBucketOf(('1f' + '0'.repeat(62)) as AgentId)).toBe(31);
    expect(syncBucketOf(('20' + '0'.repeat(62)) as AgentId)).toBe(0);
    expect(syncBucketOf(('ff' + '0'.repeat(62)) as AgentId)).toBe(31);
  });
});

describe('swim codec: strict validation', () => {
  const fact = (patch: object) => ({ ...FACTS[0], ...patch });
  const gossip = (facts: unknown[]) => rawFrame(20, { facts });

  it('rejects facts with bad ids, incarnations, signatures or kinds', () => {
    for (const bad of [
      fact({ subject: A.toUpperCase() }),
      fact({ subject: A.slice(2) }),
      fact({ incarnation: -1 }),
      fact({ incarnation: 1.5 }),
      fact({ incarnation: 2 ** 32 }),
      fact({ incarnation: '1' }),
      fact({ signature: SIG.slice(2) }),
      fact({ signature: SIG.toUpperCase() }),
      fact({ kind: 'zombie' }),
      { ...FACTS[1], by: 'me' },
      { ...FACTS[1], by: undefined },
      null,
      [],
      'alive',
    ]) {
      expectFailure(gossip([bad]), 'invalid-fields');
    }
  });

  it('rejects load and application facts out of range', () => {
    const load = (summary: unknown) => ({ ...FACTS[4], load: summary });
    for (const bad of [
      load({ cpu: 1.01 }),
      load({ cpu: -0.01 }),
      load({ cpu: Number.NaN }),
      load({}),
      load({ cpu: 0.5, memory: 2 }),
      load({ cpu: 0.5, tasks: -1 }),
      load({ cpu: 0.5, tasks: 0.5 }),
      load(null),
    ]) {
      expectFailure(gossip([bad]), 'invalid-fields');
    }
    const app = (patch: object) => ({ ...FACTS[6], ...patch });
    for (const bad of [
      app({ key: '' }),
      app({ key: 'k'.repeat(33) }),
      app({ key: 'has space' }),
      app({ value: 'v'.repeat(MAX_APP_VALUE_CHARS + 1) }),
      app({ value: 7 }),
      app({ version: -1 }),
    ]) {
      expectFailure(gossip([bad]), 'invalid-fields');
    }
    expect(decodeFrame(gossip([app({ key: 'k'.repeat(32) })])).ok).toBe(true);
    expect(decodeFrame(gossip([app({ value: 'v'.repeat(MAX_APP_VALUE_CHARS) })])).ok).toBe(true);
  });

  it('bounds every list: facts, buckets, summaries, members, wants', () => {
    const many = Array.from({ length: MAX_FACTS_PER_MESSAGE + 1 }, () => FACTS[1]);
    expectFailure(gossip(many), 'invalid-fields');
    expect(decodeFrame(gossip(many.slice(1))).ok).toBe(true);
    expectFailure(gossip([]), 'invalid-fields');
    // Digests are binary, exactly 32 u32 hashes; a JSON digest is not accepted.
    const digest = encodeFrame({ type: 'swim-digest', hashes: new Array(SYNC_BUCKETS).fill(7) });
    expectFailure(digest.subarray(0, digest.length - 1), 'truncated');
    expectFailure(Uint8Array.of(...digest, 0), 'truncated');
    expectFailure(rawFrame(21, { hashes: new Array(SYNC_BUCKETS).fill(0) }), 'truncated');
    const summary = (patch: object) =>
      rawFrame(23, { buckets: [1], members: [[A, 1, 0, 0]], remaining: 0, ...patch });
    expect(decodeFrame(summary({})).ok).toBe(true);
    for (const bad of [
      { buckets: [1, 1] },
      { buckets: [32] },
      { buckets: [-1] },
      { remaining: -1 },
      { remaining: 33 },
      { members: [[A, 1, 8, 0]] },
      { members: [[A, 1, 0]] },
      { members: [[A, -1, 0, 0]] },
      { members: [['nope', 1, 0, 0]] },
      { members: new Array(MAX_SUMMARY_MEMBERS + 1).fill([A, 1, 0, 0]) },
    ]) {
      expectFailure(summary(bad), 'invalid-fields');
    }
    const state = (patch: object) =>
      rawFrame(22, { members: [], facts: [], want: [], reply: false, ...patch });
    expect(decodeFrame(state({})).ok).toBe(true);
    for (const bad of [
      { reply: 'yes' },
      { want: ['nope'] },
      { want: new Array(MAX_SYNC_MEMBERS + 1).fill(A) },
      { members: [{ fact: FACTS[4], agreed: true }] },
      { members: [{ fact: FACTS[0] }] },
      { members: new Array(MAX_SYNC_MEMBERS + 1).fill({ fact: FACTS[0], agreed: true }) },
      { facts: [FACTS[0]] },
    ]) {
      expectFailure(state(bad), 'invalid-fields');
    }
    expectFailure(rawFrame(18, { seq: 1, target: 'x', facts: [] }), 'invalid-fields');
    expectFailure(rawFrame(16, { seq: -1, facts: [] }), 'invalid-fields');
    expectFailure(rawFrame(16, { seq: 1 }), 'invalid-fields');
    expectFailure(rawFrame(16, '[1]'), 'malformed-body');
  });
});

describe('signed statements and claims', () => {
  it('are domain-separated text lines, one spelling per value', () => {
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    expect(text(aliveStatement(A, 3))).toBe(
      `mesh-coordinator/swim/v1\nalive\nsubject=${A}\nincarnation=3`,
    );
    expect(text(leftStatement(A, 3))).toBe(
      `mesh-coordinator/swim/v1\nleft\nsubject=${A}\nincarnation=3`,
    );
    expect(text(loadStatement(A, 2, { cpu: 0.5, tasks: 3 }))).toBe(
      `mesh-coordinator/swim/v1\nload\nsubject=${A}\nversion=2\ncpu=0.5\nmemory=-\ntasks=3`,
    );
    expect(text(appStatement(A, 'k', 1, 'a\nb'))).toBe(
      `mesh-coordinator/swim/v1\napp\nsubject=${A}\nkey=k\nversion=1\nvalue="a\\nb"`,
    );
    expect(aliveStatement(A, 3)).not.toEqual(leftStatement(A, 3));
  });

  it('every fact a member states about itself carries its signature; reports do not', () => {
    const claims = signedClaimsOf({ type: 'swim-gossip', facts: FACTS });
    expect(claims.map((c) => [c.signer, c.signature])).toEqual([
      [A, SIG],
      [A, SIG],
      [A, SIG],
      [B, SIG],
      [A, SIG],
      [B, SIG],
    ]);
    expect(claims[0]?.bytes).toEqual(aliveStatement(A, 0));
    expect(claims[1]?.bytes).toEqual(leftStatement(A, 3));
    expect(claims[4]?.bytes).toEqual(appStatement(A, 'role:db/v1', 1, 'primäry ✓'));
    const state = SAMPLES.find((m) => m.type === 'swim-state') as SwimMessage;
    expect(signedClaimsOf(state).map((c) => c.signer)).toEqual([A, A, A]);
    expect(signedClaimsOf({ type: 'swim-probe', seq: 1, facts: [FACTS[1] as SwimFact] })).toEqual(
      [],
    );
    expect(signedClaimsOf({ type: 'swim-digest', hashes: [] })).toEqual([]);
    expect(signedClaimsOf({ type: 'ping', seq: 1, sentAtMs: 0 })).toEqual([]);
  });
});

describe('swim codec fuzz', () => {
  const PIECES = [
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"facts"',
    '"kind"',
    '"alive"',
    '"suspect"',
    '"load"',
    '"app"',
    '"subject"',
    '"incarnation"',
    '"signature"',
    '"by"',
    '"seq"',
    '"members"',
    '"want"',
    '"reply"',
    '"buckets"',
    `"${A}"`,
    `"${SIG}"`,
    'true',
    'null',
    '0',
    '1',
    '-1',
    '0.5',
    '4294967296',
  ];

  function generate(prng: Prng): Uint8Array {
    const code = 16 + prng.nextInt(8);
    switch (prng.nextInt(3)) {
      case 0: {
        let text = '';
        for (let i = 1 + prng.nextInt(40); i > 0; i--) text += PIECES[prng.nextInt(PIECES.length)];
        return rawFrame(code, text);
      }
      case 1:
        return mutateFrame(prng, encodeFrame(SAMPLES[prng.nextInt(SAMPLES.length)] as SwimMessage));
      default: {
        // A valid sample re-labelled with another SWIM type code.
        const frame = encodeFrame(SAMPLES[prng.nextInt(SAMPLES.length)] as SwimMessage);
        frame[1] = code;
        return frame;
      }
    }
  }

  it('never throws, and what it accepts is valid and re-encodes canonically', () => {
    const prng = createSeededPrng(0x5715);
    const outcomes = new Map<string, number>();
    const problems: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const frame = generate(prng);
      let result: ReturnType<typeof decodeFrame>;
      try {
        result = decodeFrame(frame);
      } catch (error) {
        problems.push(`threw ${String(error)}`);
        continue;
      }
      const outcome = result.ok ? `ok:${result.msg.type}` : result.reason;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (!result.ok) {
        if (result.detail.length > 200) problems.push('long detail');
        continue;
      }
      const problem = messageProblem(result.msg);
      if (problem !== null) problems.push(`${problem} in ${JSON.stringify(result.msg)}`);
      const again = decodeFrame(encodeFrame(result.msg));
      if (JSON.stringify(again) !== JSON.stringify(result)) problems.push('not canonical');
    }
    expect(problems.slice(0, 5)).toEqual([]);
    for (const type of Object.keys(CODES)) {
      expect(outcomes.get(`ok:${type}`) ?? 0, type).toBeGreaterThan(0);
    }
    expect(outcomes.get('invalid-fields') ?? 0).toBeGreaterThan(1000);
    expect(outcomes.get('malformed-body') ?? 0).toBeGreaterThan(1000);
  });
});
