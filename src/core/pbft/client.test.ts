import { describe, expect, it } from 'vitest';
import { PBFT_MAX_ACTION_BYTES } from '../wire/pbftMessages';
import { PbftClient } from './client';
import { FOUR, OUTSIDER, R1, R2, R3, R4 } from './testNet';

const reply = (seq: number, result: string, reqNo = 100) => ({
  type: 'pbft-reply' as const,
  view: 0,
  seq,
  reqNo,
  result,
});

function client() {
  return new PbftClient({ selfId: OUTSIDER, replicas: FOUR, firstReqNo: 100 });
}

describe('pBFT client', () => {
  it('sends a request to every replica and accepts the result f + 1 of them report alike', () => {
    const c = client();
    const { reqNo, effects } = c.propose('{"kind":"k"}', 0);
    expect(reqNo).toBe(100);
    expect(effects).toEqual([
      {
        kind: 'send',
        to: FOUR,
        msg: {
          type: 'pbft-request',
          client: OUTSIDER,
          reqNo: 100,
          action: '{"kind":"k"}',
          sig: '',
        },
      },
    ]);
    // One liar alone does not decide; a second, honest, matching reply does.
    expect(c.onReply(R1, reply(1, '"lie"'))).toEqual([]);
    expect(c.onReply(R2, reply(1, '"true"'))).toEqual([]);
    expect(c.onReply(OUTSIDER, reply(1, '"true"'))).toEqual([]);
    expect(c.onReply(R3, reply(1, '"true"'))).toEqual([
      {
        kind: 'event',
        event: { type: 'proposal-committed', reqNo: 100, seq: 1, view: 0, result: '"true"' },
      },
    ]);
    expect(c.pending).toBe(0);
  });

  it('asks the silent replicas again, then gives up with timeout', () => {
    const c = client();
    c.propose('{"kind":"k"}', 0);
    c.onReply(R1, reply(1, '"r"'));
    const again = c.tick(1000);
    expect(again).toEqual([expect.objectContaining({ kind: 'send', to: [R2, R3, R4] })]);
    expect(c.tick(10_000)).toEqual([
      { kind: 'event', event: { type: 'proposal-failed', reqNo: 100, error: 'timeout' } },
    ]);
  });

  it('fails with no-quorum once fewer than a quorum of replicas have been reachable for the grace', () => {
    const c = client();
    c.propose('{"kind":"k"}', 0);
    expect(c.setReachable(2, 100)).toEqual([]);
    // Before the grace ends it only asks again.
    expect(c.tick(1599).filter((e) => e.kind === 'event')).toEqual([]);
    expect(c.tick(1600)).toEqual([
      { kind: 'event', event: { type: 'proposal-failed', reqNo: 100, error: 'no-quorum' } },
    ]);
    // New proposals fail at once while the quorum is missing (nothing is sent), and go
    // through once it is back.
    expect(c.propose('{"kind":"k"}', 1700).effects).toEqual([
      { kind: 'event', event: { type: 'proposal-failed', reqNo: 101, error: 'no-quorum' } },
    ]);
    c.setReachable(3, 1800);
    expect(c.propose('{"kind":"k"}', 1900).effects[0]).toMatchObject({ kind: 'send' });
  });

  it('refuses an action over the size limit, and proposals past its outstanding bound', () => {
    const c = new PbftClient({
      selfId: OUTSIDER,
      replicas: FOUR,
      firstReqNo: 1,
      maxOutstanding: 1,
    });
    expect(c.propose('x'.repeat(PBFT_MAX_ACTION_BYTES + 1), 0).effects).toEqual([
      { kind: 'event', event: { type: 'proposal-failed', reqNo: 1, error: 'too-large' } },
    ]);
    c.propose('{"kind":"k"}', 0);
    expect(c.propose('{"kind":"k"}', 0).effects).toEqual([
      { kind: 'event', event: { type: 'proposal-failed', reqNo: 3, error: 'busy' } },
    ]);
  });

  it("keeps new request numbers within the replicas' reply window of the oldest waiting one", () => {
    // A request still waiting while 64 later ones executed would fall below the replicas'
    // window and count as a replay: new proposals wait for it (fail busy) instead.
    const c = new PbftClient({
      selfId: OUTSIDER,
      replicas: FOUR,
      firstReqNo: 1,
      maxRequestSpan: 3,
    });
    const first = c.propose('{"kind":"k"}', 0).reqNo;
    const second = c.propose('{"kind":"k"}', 0).reqNo;
    for (const replica of FOUR.slice(0, 2)) {
      c.onReply(replica, { type: 'pbft-reply', view: 0, seq: 1, reqNo: second, result: 'r' });
    }
    c.propose('{"kind":"k"}', 0);
    expect(c.propose('{"kind":"k"}', 0).effects).toEqual([
      { kind: 'event', event: { type: 'proposal-failed', reqNo: first + 3, error: 'busy' } },
    ]);
    for (const replica of FOUR.slice(0, 2)) {
      c.onReply(replica, { type: 'pbft-reply', view: 0, seq: 2, reqNo: first, result: 'r' });
    }
    expect(c.propose('{"kind":"k"}', 0).effects[0]).toMatchObject({ kind: 'send' });
  });
});
