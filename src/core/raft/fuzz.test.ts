import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { createSeededPrng, type Prng } from '../base/prng';
import { fixedId } from '../base/testSupport';
import type { RaftEntry, RaftMessage } from '../wire/raftMessages';
import { TestNet } from './testNet';

const A = fixedId('a');
const B = fixedId('b');
const C = fixedId('c');
const X = fixedId('9'); // not a member

const pick = <T>(prng: Prng, items: readonly T[]): T => items[prng.nextInt(items.length)] as T;
const small = (prng: Prng): number => prng.nextInt(12);

/** A well-formed message with arbitrary (often nonsensical) values, as a confused peer sends. */
function randomMessage(prng: Prng): RaftMessage {
  const term = small(prng);
  const flag = () => prng.nextInt(2) === 1;
  switch (prng.nextInt(11)) {
    case 0:
      return {
        type: 'raft-vote',
        term,
        lastIndex: small(prng),
        lastTerm: small(prng),
        preVote: flag(),
        transfer: flag(),
      };
    case 1:
      return { type: 'raft-vote-response', term, granted: flag(), preVote: flag() };
    case 2: {
      const prevIndex = small(prng);
      const entries: RaftEntry[] = [];
      let t = Math.max(1, small(prng));
      for (let i = 0; i < prng.nextInt(4); i++) {
        t += prng.nextInt(2);
        entries.push({
          index: prevIndex + 1 + i,
          term: t,
          kind: pick(prng, ['data', 'noop'] as const),
          data: '',
        });
      }
      return {
        type: 'raft-append',
        term,
        prevIndex,
        prevTerm: small(prng),
        entries,
        commit: small(prng),
        round: small(prng),
      };
    }
    case 3:
      return {
        type: 'raft-append-response',
        term,
        success: flag(),
        matchIndex: small(prng),
        rejectedIndex: small(prng),
        hintIndex: small(prng),
        hintTerm: small(prng),
        round: small(prng),
      };
    case 4:
      return {
        type: 'raft-snapshot',
        term,
        index: small(prng),
        snapshotTerm: small(prng),
        members: { voters: [A, B, C], learners: [] },
        offset: pick(prng, [0, 0, 3]),
        data: 'abc',
        done: flag(),
      };
    case 5:
      return {
        type: 'raft-snapshot-response',
        term,
        index: small(prng),
        nextOffset: small(prng),
        installed: flag(),
      };
    case 6:
      return { type: 'raft-timeout-now', term };
    case 7:
      return { type: 'raft-read-index', id: small(prng) };
    case 8:
      return { type: 'raft-read-index-response', id: small(prng), ok: flag(), index: small(prng) };
    case 9:
      return { type: 'raft-propose', id: small(prng), data: '"f"' };
    default:
      return {
        type: 'raft-propose-response',
        id: small(prng),
        ok: flag(),
        index: small(prng),
        term,
        reason: 'no-leader',
      };
  }
}

describe('raft node fuzz', () => {
  it('arbitrary messages from members and strangers never throw or break an invariant', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const prng = createSeededPrng(seed);
      const net = new TestNet([A, B, C]);
      net.elect(A);
      for (let i = 0; i < 300; i++) {
        const to = pick(prng, [A, B, C]);
        const from: AgentId = pick(
          prng,
          [A, B, C, X].filter((id) => id !== to),
        );
        // step runs the invariants after every input.
        expect(() =>
          net.step(to, { kind: 'message', from, msg: randomMessage(prng) }),
        ).not.toThrow();
        if (prng.nextInt(10) === 0) net.advance(60);
        if (prng.nextInt(5) === 0) net.step(to, { kind: 'propose', id: i, data: '"p"' });
        net.settle((e) => e.to === X || prng.nextInt(3) === 0, 5);
      }
    }
  });
});
