import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { EPOCH_VIEWS } from './epochs';
import { ConfigurableListApp, FOUR, R1, R2, R3, R4, R5, TestNet, type Sent } from './testNet';
import { testDigest, testPrng } from './testDigest';

const FIVE = [...FOUR, R5];
const setTo = (ids: AgentId[]) => JSON.stringify({ kind: 'replicas', ids });

function reconfigurableNet(): TestNet {
  return new TestNet(FOUR, testDigest, testPrng, {}, () => new ConfigurableListApp());
}

/** Proposes the change and runs it to the end; every client then follows the new set. */
function change(net: TestNet, ids: AgentId[]): void {
  net.propose(R2, setTo(ids));
  net.run();
  net.reconfigureClients(ids);
  net.run();
}

const votes = (sent: Sent[], from: AgentId) =>
  sent.filter(
    (s) => s.from === from && (s.msg.type === 'pbft-prepare' || s.msg.type === 'pbft-commit'),
  );

describe('pBFT reconfiguration', () => {
  it('a committed removal ends epoch 0 at its sequence number; the rest go on as n = 3', () => {
    const net = reconfigurableNet();
    net.commitInOrder(2, R2);
    change(net, [R1, R2, R3]);
    for (const id of [R1, R2, R3]) {
      expect(net.agent(id).replica.snapshot()).toMatchObject({
        role: 'replica',
        epoch: 1,
        epochStartSeq: 3,
        n: 3,
        f: 0,
        quorum: 2,
        view: EPOCH_VIEWS,
        stableCheckpointSeq: 3,
        lastExecutedSeq: 3,
      });
    }
    expect(net.agent(R4).replica.snapshot()).toMatchObject({ role: 'retired', epoch: 1 });
    const before = net.transcript.length;
    net.commitInOrder(3, R3);
    const after = net.transcript.slice(before);
    for (const id of [R1, R2, R3]) {
      expect(net.agent(id).replica.snapshot().lastExecutedSeq).toBe(6);
      expect(net.agent(id).app.items).toEqual(net.agent(R1).app.items);
    }
    // The retired replica takes no part: no votes, and nothing new executed.
    expect(votes(after, R4)).toHaveLength(0);
    expect(net.agent(R4).app.items).toHaveLength(2);
    expect(after.some((s) => s.to === R4 && s.msg.type === 'pbft-pre-prepare')).toBe(false);
    const reconfigured = net.agent(R1).events.filter((e) => e.type === 'pbft-reconfigured');
    expect(reconfigured).toEqual([
      { type: 'pbft-reconfigured', epoch: 1, seq: 3, replicas: [R1, R2, R3], member: true },
    ]);
  });

  it('batches ordered after the change in the old epoch run once, in the new epoch', () => {
    const net = reconfigurableNet();
    // The change and three more requests in flight at once: the primary orders them at 1-4
    // in epoch 0; only the change's slot may run there, the rest are ordered again.
    net.propose(R2, setTo([R1, R2, R3]));
    for (let i = 0; i < 3; i++) net.propose(R3, `{"kind":"after","i":${i}}`);
    net.run();
    net.reconfigureClients([R1, R2, R3]);
    net.advanceBy(3000, 50);
    for (const id of [R1, R2, R3]) {
      const { items } = net.agent(id).app;
      expect(items).toEqual(net.agent(R1).app.items);
      expect(items).toHaveLength(3);
      expect(new Set(items).size).toBe(3);
      expect(net.agent(id).replica.snapshot().epoch).toBe(1);
    }
    const committed = net.agent(R3).clientEvents.filter((e) => e.type === 'proposal-committed');
    expect(committed).toHaveLength(3);
  });

  it('a batch one replica committed above the change in the old epoch never runs', () => {
    const net = reconfigurableNet();
    // R3 never sees the change's pre-prepare (nor the checkpoint the others take at it): it
    // commits the batches after it in epoch 0 but cannot execute them, and reaches the change
    // only by catching up.
    net.filter = (s) =>
      !(
        s.to === R3 &&
        ((s.msg.type === 'pbft-pre-prepare' && s.msg.seq === 1) || s.msg.type === 'pbft-checkpoint')
      );
    net.propose(R2, setTo([R1, R2, R3]));
    for (let i = 0; i < 3; i++) net.propose(R4, `{"kind":"after","i":${i}}`);
    net.run();
    const stuck = net.agent(R3).replica.snapshot();
    expect(stuck.lastExecutedSeq).toBe(0);
    expect(stuck.slots.filter((slot) => slot.phase === 'committed').length).toBeGreaterThan(0);
    net.filter = () => true;
    net.reconfigureClients([R1, R2, R3]);
    net.advanceBy(4000, 50);
    const reference = net.agent(R1);
    expect(reference.app.items).toHaveLength(3);
    for (const id of [R1, R2, R3]) {
      const events = net.agent(id).events;
      const switched = events.findIndex((e) => e.type === 'pbft-reconfigured');
      const executedAfter = events.slice(switched).filter((e) => e.type === 'pbft-executed');
      expect(executedAfter.length).toBeGreaterThan(0);
      // Only batches ordered in the new epoch ran after the change.
      for (const e of executedAfter)
        expect(e.type === 'pbft-executed' && e.view).toBeGreaterThanOrEqual(EPOCH_VIEWS);
    }
    for (const id of [R2, R3]) {
      expect(net.agent(id).app.items).toEqual(reference.app.items);
      expect(net.agent(id).replica.snapshot()).toMatchObject({
        epoch: 1,
        lastExecutedSeq: reference.replica.snapshot().lastExecutedSeq,
      });
    }
  });

  it('an added replica takes the base state from f + 1 replicas before it votes', () => {
    const net = reconfigurableNet();
    net.commitInOrder(2, R2);
    change(net, FIVE);
    for (const id of FOUR) expect(net.agent(id).replica.snapshot()).toMatchObject({ n: 5, f: 1 });
    const joiner = net.addJoiner(R5, { epoch: 1, replicas: FIVE }, testDigest);
    expect(joiner.replica.snapshot()).toMatchObject({ role: 'joining', lastExecutedSeq: 0 });
    // Only R1's state gets through: one replica's word is not enough.
    net.filter = (s) => s.msg.type !== 'pbft-state' || s.from === R1;
    net.advanceBy(1000, 50);
    expect(joiner.replica.snapshot().role).toBe('joining');
    const start = net.transcript.length;
    net.filter = () => true;
    net.advanceBy(1000, 50);
    expect(joiner.replica.snapshot()).toMatchObject({
      role: 'replica',
      epoch: 1,
      lastExecutedSeq: 3,
      n: 5,
    });
    expect(joiner.app.items).toEqual(net.agent(R1).app.items);
    const transferred = joiner.events.findIndex((e) => e.type === 'pbft-state-transferred');
    expect(transferred).toBeGreaterThanOrEqual(0);
    expect(votes(net.transcript.slice(0, start), R5)).toHaveLength(0);
    // From now on it votes, and with a quorum of 4 of 5 it is needed once one other is gone.
    net.filter = (s) => s.from !== R4 && s.to !== R4;
    net.commitInOrder(2, R2);
    expect(votes(net.transcript.slice(start), R5).length).toBeGreaterThan(0);
    for (const id of [R1, R2, R3, R5]) {
      expect(net.agent(id).replica.snapshot().lastExecutedSeq).toBe(5);
      expect(net.agent(id).app.items).toEqual(net.agent(R1).app.items);
    }
  });

  it('a replica cut off across the change catches up into the new epoch', () => {
    const net = reconfigurableNet();
    net.filter = (s) => s.from !== R4 && s.to !== R4;
    net.commitInOrder(2, R2);
    change(net, [R1, R2, R3, R4, R5]);
    net.addJoiner(R5, { epoch: 1, replicas: FIVE }, testDigest);
    net.advanceBy(1000, 50);
    net.commitInOrder(2, R2);
    expect(net.agent(R4).replica.snapshot()).toMatchObject({ epoch: 0, lastExecutedSeq: 0 });
    net.filter = () => true;
    net.commitInOrder(1, R2);
    net.advanceBy(2000, 50);
    expect(net.agent(R4).replica.snapshot()).toMatchObject({
      role: 'replica',
      epoch: 1,
      lastExecutedSeq: 6,
    });
    expect(net.agent(R4).app.items).toEqual(net.agent(R1).app.items);
  });

  it('a view change in the new epoch carries its base checkpoint without a certificate', () => {
    const net = reconfigurableNet();
    change(net, [R1, R2, R3, R5]);
    net.addJoiner(R5, { epoch: 1, replicas: [R1, R2, R3, R5] }, testDigest);
    net.advanceBy(1000, 50);
    const primary = net.agent(R1).replica.snapshot().primary;
    // The new epoch's first primary goes silent: the others change view from the base.
    net.filter = (s) => s.from !== primary && s.to !== primary;
    const proposer = [R2, R3].find((id) => id !== primary) as AgentId;
    net.propose(proposer, '{"kind":"after-crash"}');
    net.advanceBy(4000, 50);
    const others = [R1, R2, R3, R5].filter((id) => id !== primary);
    for (const id of others) {
      const snapshot = net.agent(id).replica.snapshot();
      expect(snapshot.view).toBe(EPOCH_VIEWS + 1);
      expect(snapshot.lastExecutedSeq).toBe(2);
      expect(net.agent(id).app.items).toEqual(['{"kind":"after-crash"}']);
    }
    expect(net.agent(others[0] as AgentId).replica.snapshot().rejected['bad-view-change']).toBe(
      undefined,
    );
  });

  it('a replica restarted from its records comes back in the epoch it had reached', () => {
    const net = reconfigurableNet();
    net.commitInOrder(2, R2);
    change(net, [R1, R2, R3]);
    net.commitInOrder(1, R2);
    const restarted = net.restartFromStorage(R3, testDigest);
    expect(restarted.replica.snapshot()).toMatchObject({
      epoch: 1,
      n: 3,
      view: EPOCH_VIEWS,
      lastExecutedSeq: 4,
    });
    net.commitInOrder(1, R2);
    for (const id of [R1, R2, R3]) {
      expect(net.agent(id).replica.snapshot().lastExecutedSeq).toBe(5);
    }
    expect(restarted.app.items).toEqual(net.agent(R1).app.items);
    // Retired too stays retired after a restart.
    expect(net.restartFromStorage(R4, testDigest).replica.snapshot().role).toBe('retired');
  });
});
