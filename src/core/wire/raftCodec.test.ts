import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../base/prng';
import { fixedId } from '../base/testSupport';
import { decodeFrame, encodeFrame, typeCodeOf } from './codec';
import { DEFAULT_MAX_FRAME_BYTES, WIRE_VERSION } from './messages';
import {
  RAFT_MAX_ENTRIES_PER_APPEND,
  RAFT_MAX_ENTRY_BYTES,
  RAFT_MAX_SNAPSHOT_CHUNK_CHARS,
  RAFT_MESSAGE_TYPES,
  type RaftMessage,
} from './raftMessages';

const A = fixedId('a');
const B = fixedId('b');

const SAMPLES: RaftMessage[] = [
  { type: 'raft-vote', term: 3, lastIndex: 10, lastTerm: 2, preVote: true, transfer: false },
  { type: 'raft-vote-response', term: 3, granted: true, preVote: false },
  {
    type: 'raft-append',
    term: 3,
    prevIndex: 4,
    prevTerm: 2,
    entries: [
      { index: 5, term: 2, kind: 'data', data: '{"k":"v"}' },
      { index: 6, term: 3, kind: 'noop', data: '' },
      { index: 7, term: 3, kind: 'config', data: JSON.stringify({ voters: [A], learners: [B] }) },
    ],
    commit: 4,
    round: 9,
  },
  {
    type: 'raft-append-response',
    term: 3,
    success: false,
    matchIndex: 0,
    rejectedIndex: 7,
    hintIndex: 5,
    hintTerm: 2,
    round: 9,
  },
  {
    type: 'raft-snapshot',
    term: 3,
    index: 40,
    snapshotTerm: 2,
    members: { voters: [A, B], learners: [] },
    offset: 0,
    data: 'snap',
    done: true,
  },
  { type: 'raft-snapshot-response', term: 3, index: 40, nextOffset: 4, installed: true },
  { type: 'raft-timeout-now', term: 3 },
  { type: 'raft-read-index', id: 12 },
  { type: 'raft-read-index-response', id: 12, ok: true, index: 40 },
  { type: 'raft-propose', id: 5, data: '[1,2]' },
  { type: 'raft-propose-response', id: 5, ok: false, index: 0, term: 3, reason: 'overloaded' },
];

/** A frame of `type` with an arbitrary JSON body, as a peer could send it. */
function rawFrame(type: RaftMessage['type'], body: unknown): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(body));
  const frame = new Uint8Array(2 + json.length);
  frame[0] = WIRE_VERSION;
  frame[1] = typeCodeOf(type);
  frame.set(json, 2);
  return frame;
}

function failure(type: RaftMessage['type'], body: unknown): string {
  const result = decodeFrame(rawFrame(type, body));
  if (result.ok) throw new Error('decoded');
  return `${result.reason}: ${result.detail}`;
}

describe('raft codec', () => {
  it('round-trips every message type', () => {
    expect(new Set(SAMPLES.map((m) => m.type))).toEqual(new Set(RAFT_MESSAGE_TYPES));
    for (const msg of SAMPLES) expect(decodeFrame(encodeFrame(msg))).toEqual({ ok: true, msg });
  });

  it('drops unknown fields', () => {
    expect(decodeFrame(rawFrame('raft-timeout-now', { term: 2, extra: 'x' }))).toEqual({
      ok: true,
      msg: { type: 'raft-timeout-now', term: 2 },
    });
  });

  it('names the bad field', () => {
    const append = SAMPLES[2] as Extract<RaftMessage, { type: 'raft-append' }>;
    const { type: _t, ...body } = append;
    expect(failure('raft-append', { ...body, entries: [{ ...append.entries[0], index: 9 }] })).toBe(
      'invalid-fields: raft-append entries[0].index does not follow on',
    );
    expect(
      failure('raft-append', {
        ...body,
        entries: [append.entries[1], append.entries[0]].map((e, i) => ({ ...e, index: 5 + i })),
      }),
    ).toBe('invalid-fields: raft-append entries[1].term is below the one before');
    expect(
      failure('raft-append', {
        ...body,
        entries: [{ index: 5, term: 2, kind: 'noop', data: 'x' }],
      }),
    ).toBe('invalid-fields: raft-append entries[0].data of a noop is not empty');
    expect(failure('raft-append', { ...body, term: -1 })).toBe(
      'invalid-fields: raft-append term is not a non-negative safe integer',
    );
    expect(
      failure('raft-append', {
        ...body,
        entries: [{ index: 5, term: 2, kind: 'data', data: 'x'.repeat(RAFT_MAX_ENTRY_BYTES + 1) }],
      }),
    ).toBe(`invalid-fields: raft-append entries[0].data is over ${RAFT_MAX_ENTRY_BYTES} bytes`);
    const many = Array.from({ length: RAFT_MAX_ENTRIES_PER_APPEND + 1 }, (_, i) => ({
      index: 5 + i,
      term: 2,
      kind: 'data',
      data: '',
    }));
    expect(failure('raft-append', { ...body, entries: many })).toBe(
      `invalid-fields: raft-append entries has ${RAFT_MAX_ENTRIES_PER_APPEND + 1} entries, over ${RAFT_MAX_ENTRIES_PER_APPEND}`,
    );
    const snap = { term: 1, index: 2, snapshotTerm: 1, offset: 0, data: '', done: true };
    expect(failure('raft-snapshot', { ...snap, members: { voters: [B, A], learners: [] } })).toBe(
      'invalid-fields: raft-snapshot members.voters is not sorted and distinct',
    );
    expect(failure('raft-snapshot', { ...snap, members: { voters: [A], learners: [A] } })).toBe(
      'invalid-fields: raft-snapshot members names a voter as a learner',
    );
    expect(failure('raft-snapshot', { ...snap, members: { voters: [], learners: [] } })).toBe(
      'invalid-fields: raft-snapshot members.voters is empty',
    );
    expect(
      failure('raft-propose-response', { id: 1, ok: false, index: 0, term: 1, reason: 'bored' }),
    ).toBe(
      'invalid-fields: raft-propose-response reason is not one of no-leader, too-large, overloaded, transferring',
    );
    expect(
      failure('raft-vote', { term: 1, lastIndex: 0, lastTerm: 0, preVote: 'yes', transfer: false }),
    ).toBe('invalid-fields: raft-vote preVote is not a boolean');
  });

  it('the largest legal append and snapshot chunk fit a peer frame, however their text escapes', () => {
    const worst = '\u0001'.repeat(RAFT_MAX_ENTRY_BYTES);
    // One entry of the worst text always goes alone; the leader's byte budget packs the rest.
    const append: RaftMessage = {
      type: 'raft-append',
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      entries: [{ index: 1, term: 1, kind: 'data', data: worst }],
      commit: 0,
      round: 0,
    };
    expect(encodeFrame(append).length).toBeLessThan(DEFAULT_MAX_FRAME_BYTES);
    const chunk: RaftMessage = {
      ...(SAMPLES[4] as Extract<RaftMessage, { type: 'raft-snapshot' }>),
      data: '\u0001'.repeat(RAFT_MAX_SNAPSHOT_CHUNK_CHARS),
    };
    expect(encodeFrame(chunk).length).toBeLessThan(DEFAULT_MAX_FRAME_BYTES);
  });

  it('fuzz: mutated frames never throw, and what decodes re-encodes to the same message', () => {
    const prng = createSeededPrng(7);
    const outcomes = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const base = encodeFrame(SAMPLES[i % SAMPLES.length] as RaftMessage);
      const frame = base.slice(0, prng.nextInt(base.length + 1) || base.length);
      const flips = prng.nextInt(4);
      for (let f = 0; f < flips; f++)
        frame[2 + prng.nextInt(Math.max(1, frame.length - 2))] = prng.nextInt(256);
      const result = decodeFrame(frame);
      outcomes.add(result.ok ? 'ok' : result.reason);
      if (result.ok) expect(decodeFrame(encodeFrame(result.msg))).toEqual(result);
    }
    expect(
      outcomes.has('ok') && outcomes.has('invalid-fields') && outcomes.has('malformed-body'),
    ).toBe(true);
  });
});
