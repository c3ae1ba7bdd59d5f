import { describe, expect, it } from 'vitest';
import { FOUR, R1, R2, R3, R4, TestNet } from './testNet';
import { testDigest, testPrng } from './testDigest';

/** Small intervals so a few requests cross several checkpoints. */
const SMALL = { checkpointInterval: 4, watermarkWindow: 8, maxInFlightBatches: 1 };

describe('pBFT checkpoints and garbage collection', () => {
  it('a checkpoint every K becomes stable with a quorum and the log below it goes', () => {
    const net = new TestNet(FOUR, testDigest, testPrng, SMALL);
    net.commitInOrder(9, R2);
    for (const id of FOUR) {
      const s = net.agent(id).replica.snapshot();
      expect(s).toMatchObject({
        lastExecutedSeq: 9,
        stableCheckpointSeq: 8,
        lowWatermark: 8,
        highWatermark: 16,
      });
      expect(s.slots.map((slot) => slot.seq)).toEqual([9]);
      const stable = net.agent(id).events.filter((e) => e.type === 'pbft-checkpoint-stable');
      expect(stable.map((e) => e.type === 'pbft-checkpoint-stable' && e.seq)).toEqual([4, 8]);
    }
    // Four checkpoint messages from each replica to the three others per checkpoint.
    expect(net.sentOf('pbft-checkpoint')).toHaveLength(2 * 4 * 3);
  });

  it('the primary stops at the high watermark until a checkpoint is stable', () => {
    const net = new TestNet(FOUR, testDigest, testPrng, { ...SMALL, maxInFlightBatches: 64 });
    // Checkpoints never arrive: the window (8 above 0) fills and stays full.
    net.filter = (s) => s.msg.type !== 'pbft-checkpoint';
    for (let i = 0; i < 12; i++) net.propose(R2, `{"kind":"w","i":${i}}`);
    net.run();
    const primary = net.agent(R1).replica.snapshot();
    expect(primary.nextSeq - 1).toBe(8);
    expect(primary.lastExecutedSeq).toBe(8);
    // Once they get through (each replica sends its newest checkpoint again while it is not
    // stable), the window moves and the other four requests follow, batched at 9.
    net.filter = () => true;
    net.advanceBy(400);
    for (const id of FOUR) {
      expect(net.agent(id).replica.snapshot()).toMatchObject({
        stableCheckpointSeq: 8,
        lastExecutedSeq: 9,
      });
      expect(net.agent(id).app.items).toHaveLength(12);
    }
  });
});

describe('pBFT state transfer and catch-up', () => {
  it('a replica cut off past a garbage-collected checkpoint catches up by state transfer', () => {
    const net = new TestNet(FOUR, testDigest, testPrng, SMALL);
    net.filter = (s) => s.from !== R4 && s.to !== R4;
    net.commitInOrder(13, R2);
    expect(net.agent(R4).replica.snapshot().lastExecutedSeq).toBe(0);
    net.filter = () => true;
    net.propose(R2, '{"kind":"after"}');
    net.run();
    net.advanceBy(400);
    const r4 = net.agent(R4);
    expect(r4.events.some((e) => e.type === 'pbft-state-transferred' && e.seq === 12)).toBe(true);
    expect(r4.app.items).toEqual(net.agent(R1).app.items);
    expect(r4.replica.snapshot().lastExecutedSeq).toBe(14);
  });

  it('a replica that missed a few commits takes them from f + 1 matching peers', () => {
    const net = new TestNet(FOUR, testDigest, testPrng, SMALL);
    net.filter = (s) =>
      !(s.to === R4 && (s.msg.type === 'pbft-commit' || s.msg.type === 'pbft-prepare'));
    net.commitInOrder(3, R2);
    expect(net.agent(R4).replica.snapshot().lastExecutedSeq).toBe(0);
    net.filter = () => true;
    net.advanceBy(400);
    const r4 = net.agent(R4);
    expect(r4.events.some((e) => e.type === 'pbft-caught-up' && e.seq === 3)).toBe(true);
    expect(r4.app.items).toEqual(net.agent(R2).app.items);
    expect(r4.events.some((e) => e.type === 'pbft-state-transferred')).toBe(false);
  });

  it('a replica restarted without storage rejoins from the others', () => {
    const net = new TestNet(FOUR, testDigest, testPrng, SMALL);
    net.commitInOrder(10, R2);
    const fresh = net.restartEmpty(R3, testDigest, SMALL);
    expect(fresh.replica.snapshot().lastExecutedSeq).toBe(0);
    net.commitInOrder(1, R4);
    net.advanceBy(400);
    expect(fresh.app.items).toEqual(net.agent(R1).app.items);
    expect(fresh.replica.snapshot().lastExecutedSeq).toBe(11);
  });
});
