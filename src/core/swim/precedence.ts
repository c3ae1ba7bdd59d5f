import type { MemberStatus } from '../wire/swimMessages';

/**
 * SWIM's precedence rules (Das et al. 2002, §4.2, with memberlist's handling of dead and left)
 * as one total order on (incarnation, rank): a fact replaces the current state exactly when its
 * pair is larger. Ranks: alive < suspect < dead < left. So:
 *
 * - alive(i)   overrides suspect(j), dead(j), left(j) and alive(j) for i > j (refutation, rejoin);
 * - suspect(i) overrides alive(j) for i >= j and suspect(j) for i > j;
 * - dead(i)    overrides alive(j), suspect(j) for i >= j and dead(j) for i > j;
 * - left(i)    overrides alive(j), suspect(j), dead(j) for i >= j.
 *
 * A suspect at the same incarnation as a current suspicion is not newer: it is a confirmation
 * (Lifeguard), counted separately. Because the order is total, merging is a max: commutative,
 * associative and idempotent, so every agent that saw the same facts ends in the same state
 * whatever the order, and a member's incarnation never goes down.
 */
export const STATUS_RANK: Readonly<Record<MemberStatus, number>> = {
  alive: 0,
  suspect: 1,
  dead: 2,
  left: 3,
};

export interface MemberState {
  status: MemberStatus;
  incarnation: number;
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`. */
export function compareStates(a: MemberState, b: MemberState): number {
  if (a.incarnation !== b.incarnation) return a.incarnation - b.incarnation;
  return STATUS_RANK[a.status] - STATUS_RANK[b.status];
}

/**
 * Whether a fact replaces the current state. Unknown members (current null) are introduced
 * only by alive facts: nobody can invent a member by reporting it suspect or dead.
 */
export function overrides(fact: MemberState, current: MemberState | null): boolean {
  if (current === null) return fact.status === 'alive';
  return compareStates(fact, current) > 0;
}

/** A second report of the same suspicion: counts as a Lifeguard confirmation. */
export function isConfirmation(fact: MemberState, current: MemberState | null): boolean {
  return (
    current !== null &&
    fact.status === 'suspect' &&
    current.status === 'suspect' &&
    fact.incarnation === current.incarnation
  );
}
