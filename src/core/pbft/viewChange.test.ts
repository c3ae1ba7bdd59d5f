import { describe, expect, it } from 'vitest';
import type { PbftEvent } from './types';
import { FOUR, R1, R2, R3, R4, TestNet, type Sent } from './testNet';
import { testDigest, testPrng } from './testDigest';

const net4 = () => new TestNet(FOUR, testDigest, testPrng);
const viewChanges = (events: PbftEvent[]) =>
  events.filter((e) => e.type === 'pbft-view-change' || e.type === 'pbft-new-view');

describe('pBFT view change (n = 4)', () => {
  it('a crashed primary is replaced after the request timeout, and the request commits', () => {
    const net = net4();
    net.filter = (s) => s.from !== R1 && s.to !== R1;
    const reqNo = net.propose(R3, '{"kind":"x"}');
    net.run();
    expect(net.agent(R3).clientEvents).toEqual([]);
    net.advanceBy(499);
    expect(net.sentOf('pbft-view-change')).toEqual([]);
    net.advanceBy(10);
    for (const id of [R2, R3, R4]) {
      expect(viewChanges(net.agent(id).events)).toEqual([
        { type: 'pbft-view-change', fromView: 0, toView: 1, reason: 'request-timeout' },
        { type: 'pbft-new-view', view: 1, primary: R2, reproposed: 0 },
      ]);
      expect(net.agent(id).app.items).toEqual(['{"kind":"x"}']);
      expect(net.agent(id).replica.snapshot()).toMatchObject({
        view: 1,
        primary: R2,
        status: 'normal',
      });
    }
    // Sent to all three others; R1's copy was lost with R1.
    expect(net.sentOf('pbft-new-view').map((s) => [s.from, s.to])).toEqual([
      [R2, R3],
      [R2, R4],
    ]);
    expect(net.agent(R3).clientEvents).toEqual([
      expect.objectContaining({ type: 'proposal-committed', reqNo, seq: 1, view: 1 }),
    ]);
  });

  it('a batch prepared in the old view is re-proposed at its number in the new one', () => {
    const net = net4();
    // Commits of view 0 never arrive (retransmissions included); then the primary dies.
    const noCommitInView0 = (s: Sent) => !(s.msg.type === 'pbft-commit' && s.msg.view === 0);
    net.filter = noCommitInView0;
    net.propose(R2, '{"kind":"prepared"}');
    net.run();
    const preparedDigest = net.agent(R2).replica.snapshot().slots[0]!.digest;
    expect(net.agent(R4).replica.snapshot().slots[0]).toMatchObject({ seq: 1, phase: 'prepared' });
    net.filter = (s) => s.from !== R1 && s.to !== R1 && noCommitInView0(s);
    net.advanceBy(520);
    const newView = net.sentOf('pbft-new-view')[0]!.msg;
    expect(
      newView.type === 'pbft-new-view' && newView.headers.map((h) => [h.seq, h.digest]),
    ).toEqual([[1, preparedDigest]]);
    for (const id of [R2, R3, R4]) {
      expect(net.agent(id).app.items).toEqual(['{"kind":"prepared"}']);
      expect(net.agent(id).replica.snapshot().slots[0]).toMatchObject({
        seq: 1,
        view: 1,
        phase: 'executed',
      });
    }
  });

  it('new primaries that never send their new view are passed over, each timeout doubled', () => {
    const net = net4();
    let blockNewViews = true;
    net.filter = (s) =>
      s.from !== R1 && s.to !== R1 && !(blockNewViews && s.msg.type === 'pbft-new-view');
    net.propose(R3, '{"kind":"y"}');
    net.run();
    const target = () => net.agent(R3).replica.snapshot().targetView;
    net.advanceBy(510);
    expect(target()).toBe(1);
    // View 1 waits the base 500 ms, view 2 twice that.
    net.advanceBy(480);
    expect(target()).toBe(1);
    net.advanceBy(30);
    expect(target()).toBe(2);
    net.advanceBy(970);
    expect(target()).toBe(2);
    net.advanceBy(40);
    expect(target()).toBe(3);
    expect(net.agent(R3).events.filter((e) => e.type === 'pbft-view-change')).toEqual([
      { type: 'pbft-view-change', fromView: 0, toView: 1, reason: 'request-timeout' },
      { type: 'pbft-view-change', fromView: 0, toView: 2, reason: 'view-change-timeout' },
      // R3 is view 2's primary: it entered the view it announced, and timed out in it.
      { type: 'pbft-view-change', fromView: 2, toView: 3, reason: 'request-timeout' },
    ]);
    blockNewViews = false;
    // Each of R2, R3 and R4 is the primary of one of the views passed and entered it alone; they
    // meet again in a later view (here view 5, R2's again) and the request commits.
    net.advanceBy(3000);
    const views = [R2, R3, R4].map((id) => net.agent(id).replica.snapshot());
    expect(views.map((v) => [v.view, v.status])).toEqual([
      [5, 'normal'],
      [5, 'normal'],
      [5, 'normal'],
    ]);
    for (const id of [R2, R3, R4]) expect(net.agent(id).app.items).toEqual(['{"kind":"y"}']);
  });

  it('a replica that missed the new view gets it by asking again with its view change', () => {
    const net = net4();
    net.filter = (s) =>
      s.from !== R1 && s.to !== R1 && !(s.msg.type === 'pbft-new-view' && s.to === R4);
    net.propose(R3, '{"kind":"z"}');
    net.run();
    net.advanceBy(510);
    expect(net.agent(R4).replica.snapshot()).toMatchObject({
      status: 'view-change',
      targetView: 1,
    });
    // Its view-change timer runs out with a quorum for view 1 known, but the others are in view 1:
    // its repeated view change is answered with their new view.
    net.filter = (s) => s.from !== R1 && s.to !== R1;
    net.advanceBy(1100);
    expect(net.agent(R4).replica.snapshot()).toMatchObject({ status: 'normal' });
    expect(net.agent(R4).app.items).toEqual(['{"kind":"z"}']);
  });
});
