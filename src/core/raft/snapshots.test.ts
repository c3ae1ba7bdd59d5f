import { describe, expect, it } from 'vitest';
import { fixedId } from '../base/testSupport';
import { TestNet } from './testNet';

const A = fixedId('a');
const B = fixedId('b');
const C = fixedId('c');

const data = (n: number): string => JSON.stringify(`e${n}`);
const SMALL = { snapshotEveryEntries: 4, maxLogEntries: 16, snapshotChunkChars: 8 };

/** Hands every asked-for snapshot back: the member's state text at that point. */
function answerSnapshots(net: TestNet): void {
  for (const { id, index } of net.queueSnapshot.splice(0)) {
    net.step(id, { kind: 'snapshot', index, data: net.member(id).state });
  }
}

describe('raft snapshots and restarts (transcripts)', () => {
  it('asks for a snapshot every snapshotEveryEntries applied entries and compacts the log', () => {
    const net = new TestNet([A, B, C], SMALL);
    net.elect(A);
    for (let i = 1; i <= 4; i++) net.step(A, { kind: 'propose', id: i, data: data(i) });
    net.settle();
    // The commit reached 4 first (the noop and three entries): the ask comes there, once.
    expect(net.queueSnapshot.filter((q) => q.id === A)).toEqual([{ id: A, index: 4 }]);
    answerSnapshots(net);
    expect(net.node(A).view()).toMatchObject({ snapshotIndex: 4, lastIndex: 5 });
    expect(JSON.parse(net.member(A).storage.get('raft/snapshot')!)).toMatchObject({
      index: 4,
      term: 1,
    });
    // The entries the snapshot covers are gone from storage too.
    const kept = [...net.member(A).storage.keys()].filter((k) => k.startsWith('raft/e/'));
    expect(kept).toEqual(['raft/e/0000000000000005']);
  });

  it('a follower behind the compacted log gets the snapshot in chunks, then the entries after it', () => {
    const net = new TestNet([A, B, C], SMALL);
    net.elect(A);
    const cutC = (e: { from: string; to: string }) => e.to === C || e.from === C;
    for (let i = 1; i <= 9; i++) {
      net.step(A, { kind: 'propose', id: i, data: data(i) });
      net.settle(cutC);
      answerSnapshots(net);
    }
    expect(net.node(A).view().snapshotIndex).toBeGreaterThan(1);
    // C comes back: the heartbeat probe finds its next entry compacted away.
    for (let i = 0; i < 20; i++) {
      net.advance(50, [A]);
      net.settle();
    }
    const chunks = net.member(C).events.filter((e) => e.type === 'raft-snapshot-installed');
    expect(chunks).toHaveLength(1);
    expect(net.member(C).state).toBe(net.member(A).state);
    expect(net.node(C).commit).toBe(net.node(A).commit);
    expect(net.node(A).view().stats.snapshotsSent).toBe(1);
  });

  it('chunks out of order are refused with the offset wanted', () => {
    const net = new TestNet([A, B, C], SMALL);
    net.step(C, {
      kind: 'message',
      from: A,
      msg: {
        type: 'raft-snapshot',
        term: 1,
        index: 9,
        snapshotTerm: 1,
        members: { voters: [A, B, C], learners: [] },
        offset: 8,
        data: 'abcdefgh',
        done: false,
      },
    });
    expect(net.take().map((e) => e.msg)).toEqual([
      { type: 'raft-snapshot-response', term: 1, index: 9, nextOffset: 0, installed: false },
    ]);
    expect(net.node(C).view().rejected).toEqual({ 'snapshot-out-of-order': 1 });
  });

  it('a node restarted with its storage keeps its term, its vote and its log, and replays its commits', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    for (let i = 1; i <= 3; i++) net.step(A, { kind: 'propose', id: i, data: data(i) });
    net.settle();
    net.advance(50, [A]);
    net.settle();
    const before = net.node(B).view();
    net.restart(B, true);
    const after = net.node(B).view();
    expect(after).toMatchObject({
      term: before.term,
      votedFor: before.votedFor,
      lastIndex: before.lastIndex,
      commitIndex: before.commitIndex,
      role: 'follower',
    });
    expect(net.member(B).state).toBe(data(1) + data(2) + data(3));
  });

  it('a node restarted without storage starts from nothing and is repaired by the leader', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    for (let i = 1; i <= 3; i++) net.step(A, { kind: 'propose', id: i, data: data(i) });
    net.settle();
    net.restart(C, false);
    expect(net.node(C).view()).toMatchObject({ term: 0, lastIndex: 0 });
    for (let i = 0; i < 4; i++) {
      net.advance(50, [A]);
      net.settle();
    }
    expect(net.member(C).state).toBe(data(1) + data(2) + data(3));
  });
});
