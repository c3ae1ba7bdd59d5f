import { describe, expect, it } from 'vitest';
import { fixedId } from '../base/testSupport';
import { TestNet, voteRequest } from './testNet';

const A = fixedId('a');
const B = fixedId('b');
const C = fixedId('c');

describe('raft elections (transcripts)', () => {
  it('a timeout starts a pre-vote at the next term without raising its own; a majority of grants starts the election', () => {
    const net = new TestNet([A, B, C]);
    net.nowMs = 500;
    net.step(A, { kind: 'tick' });
    expect(net.node(A).currentRole).toBe('pre-candidate');
    expect(net.node(A).currentTerm).toBe(0);
    const preVotes = net.take();
    expect(preVotes).toEqual([
      {
        from: A,
        to: B,
        msg: voteRequest(1, 0, 0, { preVote: true }),
      },
      {
        from: A,
        to: C,
        msg: voteRequest(1, 0, 0, { preVote: true }),
      },
    ]);
    net.deliver(preVotes.filter((e) => e.to === B));
    expect(net.node(B).currentTerm).toBe(0); // a pre-vote changes nothing at the voter
    const grant = net.take();
    expect(grant).toEqual([
      {
        from: B,
        to: A,
        msg: { type: 'raft-vote-response', term: 1, granted: true, preVote: true },
      },
    ]);
    const effects = net.step(A, { kind: 'message', from: B, msg: grant[0]!.msg });
    expect(net.node(A).currentRole).toBe('candidate');
    expect(net.node(A).currentTerm).toBe(1);
    // The term and the vote for itself are stored before a vote request leaves.
    const kinds = effects.map((e) => e.kind);
    expect(kinds.indexOf('persist')).toBeLessThan(kinds.indexOf('send'));
    expect(effects[kinds.indexOf('persist')]).toMatchObject({ hard: { term: 1, votedFor: A } });
    const votes = net.take();
    expect(votes.map((e) => [e.to, e.msg])).toEqual([
      [B, voteRequest(1, 0, 0)],
      [C, voteRequest(1, 0, 0)],
    ]);
    net.deliver(votes.filter((e) => e.to === B));
    const [vote] = net.take();
    expect(vote!.msg).toEqual({
      type: 'raft-vote-response',
      term: 1,
      granted: true,
      preVote: false,
    });
    expect(JSON.parse(net.member(B).storage.get('raft/hard')!)).toEqual({
      term: 1,
      votedFor: A,
      commitIndex: 0,
    });
    net.deliver([vote!]);
    expect(net.node(A).currentRole).toBe('leader');
    // The new leader appends a noop of its term at once.
    const appends = net.take();
    expect(appends.map((e) => [e.to, e.msg])).toEqual([
      [
        B,
        {
          type: 'raft-append',
          term: 1,
          prevIndex: 0,
          prevTerm: 0,
          entries: [{ index: 1, term: 1, kind: 'noop', data: '' }],
          commit: 0,
          round: 0,
        },
      ],
      [
        C,
        {
          type: 'raft-append',
          term: 1,
          prevIndex: 0,
          prevTerm: 0,
          entries: [{ index: 1, term: 1, kind: 'noop', data: '' }],
          commit: 0,
          round: 0,
        },
      ],
    ]);
    expect(net.member(A).events.map((e) => e.type)).toEqual([
      'raft-election',
      'raft-election',
      'raft-leader',
    ]);
    expect(net.member(A).events[0]).toEqual({
      type: 'raft-election',
      term: 1,
      reason: 'timeout',
      preVote: true,
    });
  });

  it('a voter grants one vote per term, and only to a log at least as up to date as its own', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'propose', id: 1, data: '"x"' });
    net.settle();
    // C's log is behind (index 2 missing at C): it drops the append, then asks for votes.
    net.step(B, {
      kind: 'message',
      from: C,
      msg: voteRequest(5, 1, 1),
    });
    // B heard from its leader just now: the lease refuses without changing B's term.
    expect(net.take()).toEqual([
      {
        from: B,
        to: C,
        msg: { type: 'raft-vote-response', term: 1, granted: false, preVote: false },
      },
    ]);
    expect(net.node(B).currentTerm).toBe(1);
    net.nowMs += 1000; // the lease is over
    net.step(B, {
      kind: 'message',
      from: C,
      msg: voteRequest(5, 1, 1),
    });
    // The term moves on, but C's log (index 1) is behind B's (index 2): no vote.
    expect(net.take().map((e) => e.msg)).toEqual([
      { type: 'raft-vote-response', term: 5, granted: false, preVote: false },
    ]);
    net.step(B, {
      kind: 'message',
      from: A,
      msg: voteRequest(5, 2, 1),
    });
    expect(net.take().map((e) => e.msg)).toEqual([
      { type: 'raft-vote-response', term: 5, granted: true, preVote: false },
    ]);
    net.step(B, {
      kind: 'message',
      from: C,
      msg: voteRequest(5, 9, 4),
    });
    expect(net.take().map((e) => e.msg)).toEqual([
      { type: 'raft-vote-response', term: 5, granted: false, preVote: false },
    ]);
  });

  it('pre-vote: a returning partitioned node does not disrupt a healthy leader', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    // C is cut off and times out again and again: its pre-votes never raise its term.
    for (let i = 0; i < 5; i++) {
      net.advance(600, [C]);
      net.take((e) => e.from === C || e.to === C);
    }
    expect(net.node(C).currentTerm).toBe(1);
    // Back on the network, its pre-vote is refused by voters that hear from the leader.
    net.advance(600, [C]);
    net.step(A, { kind: 'tick' });
    net.settle();
    expect(net.node(A).currentRole).toBe('leader');
    expect(net.node(A).currentTerm).toBe(1);
  });

  it('check-quorum: a leader that hears from no majority for an election timeout steps down', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    for (let t = 0; t < 600; t += 50) {
      net.advance(50, [A]);
      net.take(); // everything A sends is lost
    }
    expect(net.node(A).currentRole).toBe('follower');
    expect(net.member(A).events.at(-1)).toEqual({
      type: 'raft-step-down',
      term: 1,
      reason: 'check-quorum',
    });
  });

  it('a candidate whose vote is refused by a majority goes back to following', () => {
    const net = new TestNet([A, B, C]);
    net.nowMs = 500;
    net.step(A, { kind: 'tick' });
    net.take();
    net.step(A, {
      kind: 'message',
      from: B,
      msg: { type: 'raft-vote-response', term: 0, granted: false, preVote: true },
    });
    net.step(A, {
      kind: 'message',
      from: C,
      msg: { type: 'raft-vote-response', term: 0, granted: false, preVote: true },
    });
    expect(net.node(A).currentRole).toBe('follower');
    expect(net.node(A).currentTerm).toBe(0);
  });

  it('leadership transfer: the leader catches the transferee up and tells it to campaign at once', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'transferLeadership', to: B });
    expect(net.take()).toEqual([{ from: A, to: B, msg: { type: 'raft-timeout-now', term: 1 } }]);
    net.deliver([{ from: A, to: B, msg: { type: 'raft-timeout-now', term: 1 } }]);
    const votes = net.take();
    // No pre-vote, and the transfer flag gets past the voters' lease.
    expect(votes.map((e) => e.msg)).toEqual([
      voteRequest(2, 1, 1, { transfer: true }),
      voteRequest(2, 1, 1, { transfer: true }),
    ]);
    net.deliver(votes);
    net.settle();
    expect(net.node(B).currentRole).toBe('leader');
    expect(net.node(A).currentRole).toBe('follower');
    expect(net.member(B).events.find((e) => e.type === 'raft-election')).toEqual({
      type: 'raft-election',
      term: 2,
      reason: 'transfer',
      preVote: false,
    });
  });

  it('a leaving leader tells a transferee that lags to campaign at once, without catching it up', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'propose', id: 1, data: '"x"' });
    net.take(); // B has not acknowledged the entry
    net.step(A, { kind: 'transferLeadership', to: B });
    // Staying, the leader waits for B to catch up before it says campaign.
    expect(net.take().filter((e) => e.msg.type === 'raft-timeout-now')).toEqual([]);
    const leaving = new TestNet([A, B, C]);
    leaving.elect(A);
    leaving.step(A, { kind: 'propose', id: 1, data: '"x"' });
    leaving.take();
    leaving.step(A, { kind: 'transferLeadership', to: B, leaving: true });
    expect(leaving.take()).toEqual([
      { from: A, to: B, msg: { type: 'raft-timeout-now', term: 1 } },
    ]);
  });

  it('refuses proposals while a transfer is under way, and aborts it after an election timeout', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'transferLeadership', to: B });
    net.take();
    net.step(A, { kind: 'propose', id: 7, data: '"y"' });
    expect(net.member(A).proposals.get(7)).toEqual({ ok: false, reason: 'transferring' });
    net.advance(300, [A]);
    expect(net.member(A).events.at(-1)).toEqual({
      type: 'raft-transfer',
      to: B,
      outcome: 'aborted',
    });
    net.step(A, { kind: 'propose', id: 8, data: '"y"' });
    expect(net.member(A).proposals.get(8)).toEqual({ ok: true, index: 2, term: 1 });
  });
});
