import { describe, expect, it } from 'vitest';
import { FOUR, OUTSIDER, R1, R2, R3, R4, TestNet } from './testNet';
import { testDigest, testPrng } from './testDigest';

function net4(config = {}) {
  return new TestNet(FOUR, testDigest, testPrng, config);
}

describe('pBFT normal case (n = 4)', () => {
  it('a request commits with 3 pre-prepares, 9 prepares and 12 commits, then 4 replies', () => {
    const net = net4();
    const reqNo = net.propose(R2, '{"kind":"demo"}');
    net.run();
    const between = net.transcript.filter(
      (s) => s.msg.type !== 'pbft-request' && s.msg.type !== 'pbft-reply',
    );
    expect(net.sentOf('pbft-request').map((s) => s.to)).toEqual(FOUR);
    expect(net.sentOf('pbft-pre-prepare').map((s) => [s.from, s.to])).toEqual([
      [R1, R2],
      [R1, R3],
      [R1, R4],
    ]);
    expect(net.sentOf('pbft-prepare')).toHaveLength(9);
    expect(net.sentOf('pbft-prepare').every((s) => s.from !== R1)).toBe(true);
    expect(net.sentOf('pbft-commit')).toHaveLength(12);
    expect(between).toHaveLength(24);
    expect(net.sentOf('pbft-reply').map((s) => [s.from, s.to])).toEqual(
      expect.arrayContaining(FOUR.map((id) => [id, R2])),
    );
    expect(net.agent(R2).clientEvents).toEqual([
      {
        type: 'proposal-committed',
        reqNo,
        seq: 1,
        view: 0,
        result: JSON.stringify({ ok: true, value: 1 }),
      },
    ]);
    for (const id of FOUR) {
      const agent = net.agent(id);
      expect(agent.app.items).toEqual(['{"kind":"demo"}']);
      expect(agent.replica.snapshot().lastExecutedSeq).toBe(1);
      expect(agent.events.map((e) => e.type)).toEqual(
        id === R1
          ? ['pbft-phase', 'pbft-phase', 'pbft-phase', 'pbft-executed']
          : ['pbft-phase', 'pbft-phase', 'pbft-phase', 'pbft-executed'],
      );
    }
  });

  it('batches what arrives while the pipeline is full, in client turns', () => {
    const net = net4({ maxInFlightBatches: 1 });
    for (let i = 0; i < 5; i++) net.propose(R2, `{"kind":"a","i":${i}}`);
    for (let i = 0; i < 5; i++) net.propose(R3, `{"kind":"b","i":${i}}`);
    net.run();
    const batches = net.sentOf('pbft-pre-prepare').filter((s) => s.to === R2);
    // The first request went alone; the rest waited for it and went in larger batches.
    expect(batches[0]!.msg.type === 'pbft-pre-prepare' && batches[0]!.msg.requests).toHaveLength(1);
    expect(batches.length).toBeLessThan(10);
    const order = net.agent(R4).app.items;
    expect(order).toHaveLength(10);
    for (const id of FOUR) expect(net.agent(id).app.items).toEqual(order);
    // Neither client waits behind all of the other's requests.
    const firstB = order.findIndex((a) => a.includes('"b"'));
    expect(firstB).toBeLessThan(5);
  });

  it('executes a request once, however often it arrives, and answers a repeat from the cache', () => {
    const net = net4();
    const reqNo = net.propose(R3, '{"kind":"once"}');
    net.run();
    const request = net.sentOf('pbft-request')[0]!.msg;
    // The client asks again (its replies were lost): every replica answers from its cache.
    for (const to of FOUR)
      net.agent(to).replica.step({ kind: 'message', from: R3, msg: request, nowMs: 1 });
    for (const id of FOUR) expect(net.agent(id).app.items).toEqual(['{"kind":"once"}']);
    const replies = FOUR.flatMap((to) =>
      net.agent(to).replica.step({ kind: 'message', from: R3, msg: request, nowMs: 2 }),
    );
    expect(
      replies.every(
        (e) => e.kind === 'send' && e.msg.type === 'pbft-reply' && e.msg.reqNo === reqNo,
      ),
    ).toBe(true);
    expect(replies).toHaveLength(4);
  });

  it('rejects, and counts, messages that break the rules, without throwing', () => {
    const net = net4();
    const r2 = net.agent(R2).replica;
    const digest = 'e'.repeat(64);
    const steps = [
      // A pre-prepare from a backup, not the primary.
      {
        from: R3,
        msg: {
          type: 'pbft-pre-prepare',
          view: 0,
          seq: 1,
          digest,
          replica: R3,
          sig: '',
          requests: [],
        },
      },
      // A pre-prepare whose digest is not its batch's.
      {
        from: R1,
        msg: {
          type: 'pbft-pre-prepare',
          view: 0,
          seq: 1,
          digest,
          replica: R1,
          sig: '',
          requests: [],
        },
      },
      // Outside the watermarks (the window is 64 above 0).
      { from: R3, msg: { type: 'pbft-prepare', view: 0, seq: 65, digest, replica: R3, sig: '' } },
      // A view this replica is not in.
      { from: R3, msg: { type: 'pbft-prepare', view: 3, seq: 1, digest, replica: R3, sig: '' } },
      // A vote from outside the replica set.
      { from: OUTSIDER, msg: { type: 'pbft-commit', view: 0, seq: 1, digest } },
      // A prepare from the primary, which never prepares.
      { from: R1, msg: { type: 'pbft-prepare', view: 0, seq: 1, digest, replica: R1, sig: '' } },
    ] as const;
    for (const { from, msg } of steps) {
      expect(r2.step({ kind: 'message', from, msg: msg as never, nowMs: 0 })).toEqual([]);
    }
    expect(r2.snapshot().rejected).toEqual({
      'not-primary': 2,
      'digest-mismatch': 1,
      'outside-watermarks': 1,
      'wrong-view': 1,
      'not-a-replica': 1,
    });
  });

  it('refuses a client over its rate and a full queue, and keeps serving the others', () => {
    const net = net4({ clientBurst: 3, clientRatePerSecond: 1, maxInFlightBatches: 1 });
    for (let i = 0; i < 6; i++) net.propose(R2, `{"kind":"flood","i":${i}}`);
    net.propose(R3, '{"kind":"other"}');
    net.run();
    const items = net.agent(R1).app.items;
    expect(items.filter((a) => a.includes('flood'))).toHaveLength(3);
    expect(items).toContain('{"kind":"other"}');
    expect(net.agent(R1).replica.snapshot().rejected['client-rate']).toBe(3);
  });
});
