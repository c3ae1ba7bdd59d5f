import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import type { MemberStatus } from '../swim/types';
import {
  RaftMembershipPlanner,
  type RaftMembershipInput,
  type RaftMembershipMember,
} from './raftMembership';

const config = {
  selfId: 'a' as AgentId,
  maxVoters: 3,
  removeAfterMs: 30_000,
  addAfterMs: 2000,
  promoteLagEntries: 10,
};

const member = (
  id: string,
  status: MemberStatus = 'alive',
  sinceMs = 0,
  reached = true,
): RaftMembershipMember => ({ id: id as AgentId, status, sinceMs, reached });

function input(over: Partial<RaftMembershipInput>): RaftMembershipInput {
  return {
    nowMs: 60_000,
    members: { voters: ['a', 'b', 'c'] as AgentId[], learners: [] },
    lastIndex: 100,
    matchIndex: new Map(),
    agreed: ['a', 'b', 'c'] as AgentId[],
    view: [member('a'), member('b'), member('c')],
    ...over,
  };
}

describe('RaftMembershipPlanner', () => {
  it('changes nothing when the group already matches the membership', () => {
    expect(new RaftMembershipPlanner(config).next(input({}))).toBeNull();
  });

  it('removes a member that left at once and a dead one only after removeAfterMs', () => {
    const planner = new RaftMembershipPlanner(config);
    expect(
      planner.next(input({ view: [member('a'), member('b', 'left', 59_999), member('c')] })),
    ).toEqual({ action: 'remove', member: 'b' });
    const deadRecently = [member('a'), member('b'), member('c', 'dead', 40_000)];
    expect(planner.next(input({ view: deadRecently }))).toBeNull();
    const deadLong = [member('a'), member('b'), member('c', 'dead', 30_000)];
    expect(planner.next(input({ view: deadLong }))).toEqual({ action: 'remove', member: 'c' });
  });

  it('removes a member missing from the view only once it has been missing removeAfterMs', () => {
    const planner = new RaftMembershipPlanner(config);
    const view = [member('a'), member('b')];
    expect(planner.next(input({ nowMs: 1000, view }))).toBeNull();
    expect(planner.next(input({ nowMs: 30_999, view }))).toBeNull();
    expect(planner.next(input({ nowMs: 31_000, view }))).toEqual({ action: 'remove', member: 'c' });
    // Seen again: the clock starts over when it next goes missing.
    expect(planner.next(input({ nowMs: 32_000 }))).toBeNull();
    expect(planner.next(input({ nowMs: 33_000, view }))).toBeNull();
  });

  it('never removes itself, even when its own entry says dead', () => {
    const view = [member('a', 'dead', 0), member('b'), member('c')];
    expect(new RaftMembershipPlanner(config).next(input({ view }))).toBeNull();
  });

  it('adds an agreed, alive, reached agent as a learner after addAfterMs, smallest id first', () => {
    const planner = new RaftMembershipPlanner(config);
    const agreed = ['a', 'b', 'c', 'd', 'e'] as AgentId[];
    const view = [member('a'), member('b'), member('c'), member('e', 'alive', 1000)];
    expect(planner.next(input({ agreed, view: [...view, member('d', 'alive', 59_000)] }))).toEqual({
      action: 'add-learner',
      member: 'e',
    });
    expect(planner.next(input({ agreed, view: [...view, member('d', 'alive', 1000)] }))).toEqual({
      action: 'add-learner',
      member: 'd',
    });
  });

  it('does not add an agent that is not agreed, not alive or not reached', () => {
    const planner = new RaftMembershipPlanner(config);
    const base = [member('a'), member('b'), member('c')];
    const agreed = ['a', 'b', 'c', 'd'] as AgentId[];
    expect(planner.next(input({ view: [...base, member('d')] }))).toBeNull();
    expect(planner.next(input({ agreed, view: [...base, member('d', 'suspect')] }))).toBeNull();
    expect(
      planner.next(input({ agreed, view: [...base, member('d', 'alive', 0, false)] })),
    ).toBeNull();
  });

  it('promotes a caught-up learner while there are fewer than maxVoters voters', () => {
    const planner = new RaftMembershipPlanner(config);
    const members = { voters: ['a', 'b'] as AgentId[], learners: ['c', 'd'] as AgentId[] };
    const view = [member('a'), member('b'), member('c'), member('d')];
    const lagging = new Map([
      ['c', 50],
      ['d', 95],
    ] as [AgentId, number][]);
    expect(planner.next(input({ members, view, matchIndex: lagging }))).toEqual({
      action: 'promote',
      member: 'd',
    });
    const full = { voters: ['a', 'b', 'c'] as AgentId[], learners: ['d'] as AgentId[] };
    expect(planner.next(input({ members: full, view, matchIndex: lagging }))).toBeNull();
  });

  it('puts removals before promotions and promotions before additions', () => {
    const planner = new RaftMembershipPlanner(config);
    const members = { voters: ['a', 'b'] as AgentId[], learners: ['c'] as AgentId[] };
    const agreed = ['a', 'b', 'c', 'd'] as AgentId[];
    const matchIndex = new Map([['c', 100]] as [AgentId, number][]);
    const view = [member('a'), member('b'), member('c'), member('d')];
    expect(planner.next(input({ members, agreed, matchIndex, view }))).toEqual({
      action: 'promote',
      member: 'c',
    });
    const leftB = [member('a'), member('b', 'left'), member('c'), member('d')];
    expect(planner.next(input({ members, agreed, matchIndex, view: leftB }))).toEqual({
      action: 'remove',
      member: 'b',
    });
  });
});
