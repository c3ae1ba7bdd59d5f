import { describe, expect, it } from 'vitest';
import { FOUR, R1, R2, R3, R4, TestNet, type Sent } from './testNet';
import { testDigest, testPrng } from './testDigest';

const SMALL = { checkpointInterval: 4, watermarkWindow: 8, maxInFlightBatches: 1 };

describe('pBFT durability', () => {
  it('writes before it sends: the persist effect comes first in a step that changed durable state', () => {
    const net = new TestNet(FOUR, testDigest, testPrng);
    let captured: Sent | null = null;
    net.filter = (sent) => {
      if (sent.to !== R2 || sent.msg.type !== 'pbft-pre-prepare') return true;
      captured = sent;
      return false;
    };
    net.propose(R3, '{"kind":"d"}');
    net.run();
    const prePrepare = (captured as Sent | null)?.msg;
    expect(prePrepare?.type).toBe('pbft-pre-prepare');
    const effects = net
      .agent(R2)
      .replica.step({ kind: 'message', from: R1, msg: prePrepare!, nowMs: 1 });
    const kinds = effects.map((e) => (e.kind === 'send' ? e.msg.type : e.kind));
    expect(kinds[0]).toBe('persist');
    expect(kinds).toContain('pbft-prepare');
    const persist = effects[0];
    if (persist?.kind !== 'persist') throw new Error('no persist effect');
    const keys = persist.puts.map((p) => p.key);
    // The batch before the slot that names it; the slot records the prepare about to go out.
    expect(keys[0]).toMatch(/^batch:[0-9a-f]{64}$/);
    expect(keys).toContain('slot:1');
    const slot = JSON.parse(persist.puts.find((p) => p.key === 'slot:1')!.value) as {
      sentPrepare: boolean;
    };
    expect(slot.sentPrepare).toBe(true);
    // A step that changes nothing durable writes nothing.
    expect(
      net
        .agent(R2)
        .replica.step({ kind: 'tick', nowMs: 2 })
        .some((e) => e.kind === 'persist'),
    ).toBe(false);
  });

  it('a replica restarted from its storage has the same state, view and log, and goes on', () => {
    const net = new TestNet(FOUR, testDigest, testPrng, SMALL);
    net.commitInOrder(6, R2);
    const before = net.agent(R3).replica.snapshot();
    const restarted = net.restartFromStorage(R3, testDigest, SMALL);
    const after = restarted.replica.snapshot();
    expect(after).toMatchObject({
      view: before.view,
      lastExecutedSeq: 6,
      stableCheckpointSeq: 4,
      lowWatermark: 4,
    });
    expect(after.slots.map((s) => [s.seq, s.phase])).toEqual([
      [5, 'executed'],
      [6, 'executed'],
    ]);
    expect(restarted.app.items).toEqual(net.agent(R1).app.items);
    net.commitInOrder(3, R4);
    for (const id of FOUR) expect(net.agent(id).app.items).toHaveLength(9);
  });

  it('a restarted backup keeps the vote it sent: it never prepares another digest for that slot', () => {
    const net = new TestNet(FOUR, testDigest, testPrng);
    net.filter = (s) => s.msg.type !== 'pbft-commit';
    net.propose(R2, '{"kind":"first"}');
    net.run();
    const held = net.agent(R3).replica.snapshot().slots[0]!;
    expect(held.phase).toBe('prepared');
    const restarted = net.restartFromStorage(R3, testDigest);
    // The primary (or a copy of it with the same key) offers another batch for the same slot.
    const effects = restarted.replica.step({
      kind: 'message',
      from: R1,
      msg: {
        type: 'pbft-pre-prepare',
        view: 0,
        seq: 1,
        digest: testDigest(new TextEncoder().encode('[]')),
        replica: R1,
        sig: '',
        requests: [],
      },
      nowMs: 1,
    });
    expect(effects.some((e) => e.kind === 'send' && e.msg.type === 'pbft-prepare')).toBe(false);
    expect(restarted.replica.snapshot().slots[0]).toMatchObject({ seq: 1, digest: held.digest });
  });

  it('a restarted replica keeps its view: it does not go back to one it left', () => {
    const net = new TestNet(FOUR, testDigest, testPrng);
    net.filter = (s) => s.from !== R1 && s.to !== R1;
    net.propose(R3, '{"kind":"v"}');
    net.run();
    net.advanceBy(510);
    expect(net.agent(R4).replica.snapshot().view).toBe(1);
    const restarted = net.restartFromStorage(R4, testDigest);
    expect(restarted.replica.snapshot()).toMatchObject({ view: 1, status: 'normal', primary: R2 });
    expect(restarted.app.items).toEqual(['{"kind":"v"}']);
  });

  it('storage stays bounded: slots and batches below the stable checkpoint are deleted', () => {
    const net = new TestNet(FOUR, testDigest, testPrng, SMALL);
    net.commitInOrder(30, R2);
    for (const id of FOUR) {
      const keys = [...net.agent(id).storage.keys()];
      const slots = keys.filter((k) => k.startsWith('slot:'));
      expect(slots.map((k) => Number(k.slice(5))).every((seq) => seq > 28)).toBe(true);
      expect(keys.filter((k) => k.startsWith('batch:')).length).toBeLessThanOrEqual(slots.length);
      expect(keys).toContain('stable');
    }
  });
});
