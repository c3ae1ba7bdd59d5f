import { describe, expect, it } from 'vitest';
import { fixedId } from '../base/testSupport';
import { TestNet, appendResponse } from './testNet';

const A = fixedId('a');
const B = fixedId('b');
const C = fixedId('c');

const data = (n: number): string => JSON.stringify(`e${n}`);

describe('raft log replication (transcripts)', () => {
  it('an entry commits once a majority holds it and is applied everywhere in order', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'propose', id: 1, data: data(1) });
    expect(net.member(A).proposals.get(1)).toEqual({ ok: true, index: 2, term: 1 });
    const appends = net.take();
    expect(appends.map((e) => e.msg)).toEqual([
      {
        type: 'raft-append',
        term: 1,
        prevIndex: 1,
        prevTerm: 1,
        entries: [{ index: 2, term: 1, kind: 'data', data: data(1) }],
        commit: 1,
        round: 0,
      },
      {
        type: 'raft-append',
        term: 1,
        prevIndex: 1,
        prevTerm: 1,
        entries: [{ index: 2, term: 1, kind: 'data', data: data(1) }],
        commit: 1,
        round: 0,
      },
    ]);
    // One follower's acknowledgement makes a majority of three.
    net.deliver(appends.filter((e) => e.to === B));
    const [ack] = net.take();
    expect(ack!.msg).toEqual(appendResponse(1, 2));
    net.deliver([ack!]);
    expect(net.node(A).commit).toBe(2);
    expect(net.member(A).state).toBe(data(1));
    // The new commit index goes out at once, not at the next heartbeat.
    const notices = net.take();
    expect(notices.map((e) => [e.to, e.msg])).toEqual([
      [
        B,
        {
          type: 'raft-append',
          term: 1,
          prevIndex: 2,
          prevTerm: 1,
          entries: [],
          commit: 2,
          round: 0,
        },
      ],
      [
        C,
        {
          type: 'raft-append',
          term: 1,
          prevIndex: 1,
          prevTerm: 1,
          entries: [],
          commit: 2,
          round: 0,
        },
      ],
    ]);
    net.deliver(notices.filter((e) => e.to === B));
    net.settle();
    expect(net.member(B).state).toBe(data(1));
    net.advance(50, [A]);
    net.settle();
    expect(net.member(C).state).toBe('');
    // C's copy was lost: unanswered for two heartbeats, it is sent again.
    net.advance(50, [A]);
    net.settle();
    expect(net.member(C).state).toBe(data(1));
  });

  it('a follower forwards a proposal to its leader and learns where it went', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(C, { kind: 'propose', id: 9, data: data(9) });
    const forward = net.take();
    expect(forward).toEqual([
      { from: C, to: A, msg: { type: 'raft-propose', id: expect.any(Number), data: data(9) } },
    ]);
    const id = (forward[0]?.msg as { id: number }).id;
    net.deliver(forward);
    const reply = net.take((e) => e.msg.type === 'raft-propose-response');
    expect(reply.map((e) => e.msg)).toEqual([
      { type: 'raft-propose-response', id, ok: true, index: 2, term: 1, reason: '' },
    ]);
    net.deliver(reply);
    expect(net.member(C).proposals.get(9)).toEqual({ ok: true, index: 2, term: 1 });
  });

  it('a duplicated forward is answered with the index it went to and appended once', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(C, { kind: 'propose', id: 9, data: data(9) });
    const forward = net.take();
    net.deliver([...forward, ...forward]);
    const replies = net.take((e) => e.msg.type === 'raft-propose-response');
    expect(replies.map((e) => (e.msg as { index: number }).index)).toEqual([2, 2]);
    expect(net.node(A).view().lastIndex).toBe(2);
    expect(net.node(A).view().rejected['duplicate-forward']).toBe(1);
    net.deliver(replies);
    expect(net.member(C).proposals.get(9)).toEqual({ ok: true, index: 2, term: 1 });
  });

  it("a restarted follower's forward ids do not meet its earlier ones", () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(C, { kind: 'propose', id: 1, data: data(1) });
    const before = (net.take()[0]?.msg as { id: number }).id;
    net.member(C).restart(net.nowMs, 99, true);
    net.step(C, { kind: 'propose', id: 1, data: data(1) });
    const after = net.take().filter((e) => e.msg.type === 'raft-propose');
    // Before it hears from the leader again the restarted node refuses; once it does, it forwards.
    expect(after).toEqual([]);
    net.advance(50, [A]);
    net.settle();
    net.step(C, { kind: 'propose', id: 2, data: data(2) });
    const again = (net.take().find((e) => e.msg.type === 'raft-propose')?.msg as { id: number }).id;
    expect(again).not.toBe(before);
  });

  it('refuses an entry over the size limit, and proposals to a node that knows no leader', () => {
    const net = new TestNet([A, B, C]);
    net.step(A, { kind: 'propose', id: 1, data: data(1) });
    expect(net.member(A).proposals.get(1)).toEqual({ ok: false, reason: 'no-leader' });
    net.elect(A);
    net.step(A, { kind: 'propose', id: 2, data: JSON.stringify('x'.repeat(5000)) });
    expect(net.member(A).proposals.get(2)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('a leader commits an entry of an earlier term only through one of its own (Figure 8)', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    // A appends e1 in term 1 and nobody else gets it.
    net.step(A, { kind: 'propose', id: 1, data: data(1) });
    net.take();
    // Hearing from nobody, A steps down (check-quorum), then wins term 2; appends are lost.
    for (let i = 0; i < 2; i++) {
      net.nowMs += 300;
      net.step(A, { kind: 'tick' });
      net.take();
    }
    expect(net.node(A).currentRole).toBe('follower');
    net.nowMs += 1000;
    net.step(A, { kind: 'tick' });
    net.settle((e) => e.msg.type === 'raft-append');
    expect(net.node(A).currentRole).toBe('leader');
    expect(net.node(A).currentTerm).toBe(2);
    const ack = (matchIndex: number) =>
      net.step(A, {
        kind: 'message',
        from: B,
        msg: {
          type: 'raft-append-response',
          term: 2,
          success: true,
          matchIndex,
          rejectedIndex: 0,
          hintIndex: 0,
          hintTerm: 0,
          round: 0,
        },
      });
    // A majority holds e1 (index 2, term 1), but it is not of A's term: no commit.
    ack(2);
    expect(net.node(A).commit).toBe(1);
    // Once a majority holds A's own noop (index 3), both commit.
    ack(3);
    expect(net.node(A).commit).toBe(3);
    expect(net.member(A).applied.map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
    ]);
  });

  it('a refusal hints where the logs may meet: past the end, or the start of the conflicting term', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    // A holds 1..6 of term 1, committed to 1 only.
    for (let i = 1; i <= 5; i++) net.step(A, { kind: 'propose', id: i, data: data(i) });
    net.take();
    const append = (prevIndex: number, prevTerm: number) =>
      net.step(A, {
        kind: 'message',
        from: B,
        msg: {
          type: 'raft-append',
          term: 2,
          prevIndex,
          prevTerm,
          entries: [],
          commit: 1,
          round: 0,
        },
      });
    append(9, 2);
    expect(net.node(A).currentRole).toBe('follower');
    expect(net.take().map((e) => e.msg)).toEqual([
      appendResponse(2, 0, 0, { rejectedIndex: 9, hintIndex: 7, hintTerm: 0 }),
    ]);
    append(6, 2);
    expect(net.take().map((e) => e.msg)).toEqual([
      appendResponse(2, 0, 0, { rejectedIndex: 6, hintIndex: 2, hintTerm: 1 }),
    ]);
  });

  it('a leader repairs a divergent follower, and its uncommitted entries are gone', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'propose', id: 1, data: data(1) });
    net.settle();
    // A is cut off and appends five entries nobody else gets; B and C go on without it.
    for (let i = 2; i <= 6; i++) net.step(A, { kind: 'propose', id: i, data: data(i) });
    net.take();
    const cutA = (e: { from: string; to: string }) => e.to === A || e.from === A;
    net.nowMs += 1000;
    net.step(B, { kind: 'tick' });
    net.settle(cutA);
    for (let i = 0; i < 4; i++) net.step(B, { kind: 'propose', id: 10 + i, data: data(100 + i) });
    net.settle(cutA);
    // C takes over from B, with a log longer than A's.
    net.step(B, { kind: 'transferLeadership', to: C });
    net.settle(cutA);
    expect(net.node(C).currentRole).toBe('leader');
    for (let i = 0; i < 6; i++) {
      net.advance(50, [C]);
      net.settle();
    }
    const logOf = (id: typeof A) => net.member(id).applied.map((e) => e.data);
    expect(logOf(A)).toEqual(logOf(C));
    expect(logOf(A)).toContain(data(103));
    expect(logOf(A)).not.toContain(data(2));
    expect(net.node(A).view().lastIndex).toBe(net.node(C).view().lastIndex);
  });

  it('an append whose previous index is past the log is refused, whatever term it names', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(B, {
      kind: 'message',
      from: A,
      msg: {
        type: 'raft-append',
        term: 1,
        prevIndex: 9,
        prevTerm: -1,
        entries: [],
        commit: 9,
        round: 0,
      },
    });
    expect(net.node(B).commit).toBe(1);
    expect(net.take().map((e) => e.msg)).toMatchObject([
      { type: 'raft-append-response', success: false, rejectedIndex: 9, hintIndex: 2 },
    ]);
  });

  it('a late duplicate append does not cut entries that arrived after it', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'propose', id: 1, data: data(1) });
    const first = net.take((e) => e.to === B);
    net.take();
    net.step(A, { kind: 'propose', id: 2, data: data(2) });
    const second = net.take((e) => e.to === B);
    net.take();
    net.deliver([...first, ...second]);
    net.take();
    net.deliver(first); // again, late
    const [ack] = net.take();
    expect(ack!.msg).toMatchObject({ success: true, matchIndex: 2 });
    expect(net.node(B).view().lastIndex).toBe(3);
  });

  it('flow control: a follower has at most maxInflightAppends unanswered appends', () => {
    const net = new TestNet([A, B, C], { maxInflightAppends: 2, maxEntriesPerAppend: 1 });
    net.elect(A);
    for (let i = 1; i <= 6; i++) net.step(A, { kind: 'propose', id: i, data: data(i) });
    const toB = net.take((e) => e.to === B && e.msg.type === 'raft-append');
    expect(toB).toHaveLength(2);
    expect(
      net
        .node(A)
        .view()
        .progress.find((p) => p.peer === B),
    ).toMatchObject({ state: 'replicate', inflight: 2 });
    net.deliver(toB);
    net.settle();
    net.advance(50, [A]); // the last commit index rides on a heartbeat
    net.settle();
    expect(net.member(B).applied.length).toBe(net.member(A).applied.length);
  });

  it('recovers from lost appends: no gain over a heartbeat sends the follower back to probing', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'propose', id: 1, data: data(1) });
    net.take(); // lost
    net.advance(50, [A]);
    net.take(); // a heartbeat, lost too
    net.advance(50, [A]);
    net.settle();
    net.advance(50, [A]);
    net.settle();
    expect(net.member(B).state).toBe(data(1));
  });
});
