import { describe, expect, it } from 'vitest';
import { createSeededPrng, shuffleInPlace } from '../base/prng';
import type { MemberStatus } from '../wire/swimMessages';
import { compareStates, isConfirmation, overrides, type MemberState } from './precedence';

const STATUSES: MemberStatus[] = ['alive', 'suspect', 'dead', 'left'];

/**
 * The rules as the SWIM paper (Das et al. 2002, §4.2) states them, case by case, with
 * memberlist's treatment of death (a dead report needs an incarnation at least the current one)
 * and of graceful leave (final for its incarnation). Written independently of precedence.ts.
 */
function oracle(fact: MemberState, current: MemberState | null): boolean {
  if (current === null) return fact.status === 'alive';
  const i = fact.incarnation;
  const j = current.incarnation;
  switch (fact.status) {
    case 'alive':
      // {Alive Ml, inc=i} overrides {Suspect Ml, inc=j} and {Alive Ml, inc=j}, i > j; a member
      // that died or left comes back only with a newer incarnation.
      return i > j;
    case 'suspect':
      // {Suspect Ml, inc=i} overrides {Suspect Ml, inc=j}, i > j, and {Alive Ml, inc=j}, i >= j.
      if (current.status === 'alive') return i >= j;
      return i > j;
    case 'dead':
      if (current.status === 'alive' || current.status === 'suspect') return i >= j;
      return i > j;
    case 'left':
      if (current.status === 'left') return i > j;
      return i >= j;
  }
}

function allStates(maxIncarnation: number): MemberState[] {
  const states: MemberState[] = [];
  for (let incarnation = 0; incarnation <= maxIncarnation; incarnation++) {
    for (const status of STATUSES) states.push({ status, incarnation });
  }
  return states;
}

describe('precedence rules', () => {
  it('agree with the rule table for every pair of states (exhaustive, incarnations 0-5)', () => {
    const states = allStates(5);
    const disagreements: string[] = [];
    for (const fact of states) {
      for (const current of [null, ...states]) {
        if (overrides(fact, current) !== oracle(fact, current)) {
          disagreements.push(`${JSON.stringify(fact)} over ${JSON.stringify(current)}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('only alive facts introduce a member; suspect and dead reports of strangers are ignored', () => {
    expect(overrides({ status: 'alive', incarnation: 0 }, null)).toBe(true);
    for (const status of ['suspect', 'dead', 'left'] as const) {
      expect(overrides({ status, incarnation: 9 }, null)).toBe(false);
    }
  });

  it('a second suspicion at the same incarnation is a confirmation, not news', () => {
    const suspect = { status: 'suspect', incarnation: 2 } as const;
    expect(overrides(suspect, suspect)).toBe(false);
    expect(isConfirmation(suspect, suspect)).toBe(true);
    expect(isConfirmation(suspect, { status: 'suspect', incarnation: 1 })).toBe(false);
    expect(isConfirmation(suspect, { status: 'alive', incarnation: 2 })).toBe(false);
    expect(isConfirmation({ status: 'dead', incarnation: 2 }, suspect)).toBe(false);
    expect(isConfirmation(suspect, null)).toBe(false);
  });

  it('merging facts about a known member is order-independent and never lowers its incarnation', () => {
    const prng = createSeededPrng(42);
    for (let trial = 0; trial < 2000; trial++) {
      const known: MemberState = { status: 'alive', incarnation: prng.nextInt(2) };
      const facts = Array.from({ length: 1 + prng.nextInt(8) }, () => ({
        status: STATUSES[prng.nextInt(4)] as MemberStatus,
        incarnation: prng.nextInt(4),
      }));
      const finals = new Set<string>();
      for (let order = 0; order < 4; order++) {
        let state = known;
        for (const fact of shuffleInPlace([...facts], prng)) {
          if (overrides(fact, state)) {
            expect(fact.incarnation).toBeGreaterThanOrEqual(state.incarnation);
            state = fact;
          }
        }
        finals.add(JSON.stringify(state));
      }
      // Every order ends in the same state: the largest by (incarnation, rank).
      expect(finals.size).toBe(1);
      const best = facts.reduce((a, b) => (compareStates(b, a) > 0 ? b : a), known);
      expect(JSON.parse([...finals][0] as string)).toEqual(best);
    }
  });

  it('reports about a member not yet known are dropped, whatever comes later', () => {
    // Nobody can invent a member by reporting it: a suspicion heard before the member's own
    // alive statement is ignored, so order matters there, and anti-entropy fills the gap.
    let state: MemberState | null = null;
    for (const fact of [
      { status: 'suspect', incarnation: 3 },
      { status: 'alive', incarnation: 1 },
    ] as const) {
      if (overrides(fact, state)) state = fact;
    }
    expect(state).toEqual({ status: 'alive', incarnation: 1 });
  });
});
