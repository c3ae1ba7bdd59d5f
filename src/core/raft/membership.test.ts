import { describe, expect, it } from 'vitest';
import { fixedId } from '../base/testSupport';
import { TestNet } from './testNet';

const A = fixedId('a');
const B = fixedId('b');
const C = fixedId('c');
const D = fixedId('d');

const data = (n: number): string => JSON.stringify(`e${n}`);

function heartbeats(net: TestNet, leader: typeof A, count: number): void {
  for (let i = 0; i < count; i++) {
    net.advance(50, [leader]);
    net.settle();
  }
}

describe('raft membership changes, one server at a time (transcripts)', () => {
  it('a new node joins as a learner, catches up without voting, then is promoted to voter', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    for (let i = 1; i <= 3; i++) net.step(A, { kind: 'propose', id: i, data: data(i) });
    net.settle();
    net.addMember(D);
    net.step(A, { kind: 'changeMembers', id: 1, change: { action: 'add-learner', member: D } });
    expect(net.member(A).proposals.get(1)).toEqual({ ok: true, index: 5, term: 1 });
    expect(net.node(A).membership).toEqual({ voters: [A, B, C], learners: [D] });
    heartbeats(net, A, 4);
    expect(net.member(D).state).toBe(data(1) + data(2) + data(3));
    expect(net.node(D).membership).toEqual({ voters: [A, B, C], learners: [D] });
    expect(net.node(D).currentRole).toBe('follower');
    // A learner's acknowledgements do not count: with B and C silent, nothing commits.
    net.step(A, { kind: 'propose', id: 2, data: data(4) });
    net.settle((e) => e.from === B || e.from === C);
    expect(net.node(A).commit).toBe(5);
    heartbeats(net, A, 2);
    net.step(A, { kind: 'changeMembers', id: 3, change: { action: 'promote', member: D } });
    expect(net.member(A).proposals.get(3)).toMatchObject({ ok: true });
    heartbeats(net, A, 2);
    for (const id of [A, B, C, D])
      expect(net.node(id).membership).toEqual({ voters: [A, B, C, D], learners: [] });
  });

  it('one change at a time: a second waits until the first is committed', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.addMember(D);
    net.step(A, { kind: 'changeMembers', id: 1, change: { action: 'add-learner', member: D } });
    net.step(A, { kind: 'changeMembers', id: 2, change: { action: 'remove', member: C } });
    expect(net.member(A).proposals.get(2)).toEqual({
      ok: false,
      reason: 'change-refused',
      detail: 'a change is in progress',
    });
  });

  it('refuses to promote a learner that has not caught up', () => {
    const net = new TestNet([A, B, C], { promoteLagEntries: 2 });
    net.elect(A);
    net.addMember(D);
    net.step(A, { kind: 'changeMembers', id: 1, change: { action: 'add-learner', member: D } });
    net.settle((e) => e.to === D);
    heartbeats(net, A, 1);
    for (let i = 1; i <= 5; i++) net.step(A, { kind: 'propose', id: 10 + i, data: data(i) });
    net.settle((e) => e.to === D);
    net.step(A, { kind: 'changeMembers', id: 2, change: { action: 'promote', member: D } });
    expect(net.member(A).proposals.get(2)).toEqual({
      ok: false,
      reason: 'change-refused',
      detail: 'the learner has not caught up',
    });
  });

  it('a removed leader keeps leading until the change is committed by the others, then steps down', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    heartbeats(net, A, 1);
    net.step(A, { kind: 'changeMembers', id: 1, change: { action: 'remove', member: A } });
    expect(net.node(A).currentRole).toBe('leader');
    net.settle();
    expect(net.node(A).currentRole).toBe('follower');
    expect(net.member(A).events.at(-1)).toEqual({
      type: 'raft-step-down',
      term: 1,
      reason: 'removed',
    });
    // B and C elect a leader between them; A, not a voter, never campaigns.
    net.nowMs += 1000;
    net.step(B, { kind: 'tick' });
    net.settle();
    expect(net.node(B).currentRole).toBe('leader');
    net.advance(1000, [A]);
    expect(net.take((e) => e.from === A)).toEqual([]);
  });

  it('a config entry takes effect when appended and is undone when truncated', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    heartbeats(net, A, 1);
    net.addMember(D);
    net.step(A, { kind: 'changeMembers', id: 1, change: { action: 'add-learner', member: D } });
    const toB = net.take((e) => e.to === B && e.msg.type === 'raft-append');
    net.take();
    net.deliver(toB);
    net.take();
    expect(net.node(B).membership.learners).toEqual([D]);
    // A newer leader without the entry overwrites it: B's membership goes back.
    net.step(B, {
      kind: 'message',
      from: C,
      msg: {
        type: 'raft-append',
        term: 2,
        prevIndex: 1,
        prevTerm: 1,
        entries: [{ index: 2, term: 2, kind: 'noop', data: '' }],
        commit: 1,
        round: 0,
      },
    });
    expect(net.node(B).membership).toEqual({ voters: [A, B, C], learners: [] });
    expect(net.member(B).events.at(-1)).toEqual({
      type: 'raft-members',
      index: 0,
      members: { voters: [A, B, C], learners: [] },
    });
  });
});
