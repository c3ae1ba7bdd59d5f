import { describe, expect, it } from 'vitest';
import { fixedId } from '../base/testSupport';
import { TestNet, appendResponse } from './testNet';

const A = fixedId('a');
const B = fixedId('b');
const C = fixedId('c');

describe('raft ReadIndex (transcripts)', () => {
  it('a read on the leader is served at the commit index once a majority acknowledges a later heartbeat', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(A, { kind: 'propose', id: 1, data: '"x"' });
    net.settle();
    expect(net.node(A).commit).toBe(2);
    const heartbeats = net.step(A, { kind: 'read', id: 7 });
    expect(net.member(A).reads.has(7)).toBe(false);
    const sent = heartbeats.flatMap((e) => (e.kind === 'send' ? [e.msg] : []));
    expect(sent.map((m) => m.type === 'raft-append' && m.round)).toEqual([1, 1]);
    // An acknowledgement of an older round proves nothing.
    net.step(A, {
      kind: 'message',
      from: B,
      msg: appendResponse(1, 2),
    });
    expect(net.member(A).reads.has(7)).toBe(false);
    net.deliver(net.take((e) => e.to === B));
    net.deliver(net.take((e) => e.from === B));
    expect(net.member(A).reads.get(7)).toEqual({ ok: true, index: 2 });
  });

  it('a follower asks the leader for the read index', () => {
    const net = new TestNet([A, B, C]);
    net.elect(A);
    net.step(C, { kind: 'read', id: 3 });
    const ask = net.take();
    expect(ask.map((e) => e.msg)).toEqual([{ type: 'raft-read-index', id: expect.any(Number) }]);
    net.deliver(ask);
    net.settle();
    expect(net.member(C).reads.get(3)).toEqual({ ok: true, index: 1 });
  });

  it('a new leader serves reads only after it committed an entry of its term', () => {
    const net = new TestNet([A, B, C]);
    net.nowMs = 500;
    net.step(A, { kind: 'tick' });
    net.settle((e) => e.msg.type === 'raft-append');
    expect(net.node(A).currentRole).toBe('leader');
    net.step(A, { kind: 'read', id: 1 });
    net.settle((e) => e.msg.type === 'raft-append');
    expect(net.member(A).reads.has(1)).toBe(false);
    net.advance(50, [A]);
    net.settle();
    net.advance(50, [A]);
    net.settle();
    expect(net.member(A).reads.get(1)).toEqual({ ok: true, index: 1 });
  });

  it('a leader that steps down fails its pending reads; a node without a leader refuses at once', () => {
    const net = new TestNet([A, B, C]);
    net.step(B, { kind: 'read', id: 1 });
    expect(net.member(B).reads.get(1)).toEqual({ ok: false, reason: 'no-leader' });
    net.elect(A);
    net.step(A, { kind: 'read', id: 2 });
    net.take();
    net.step(A, {
      kind: 'message',
      from: B,
      msg: appendResponse(5, 0, 0, { rejectedIndex: 0, hintIndex: 0, hintTerm: 0 }),
    });
    expect(net.member(A).reads.get(2)).toEqual({ ok: false, reason: 'no-leader' });
  });
});
