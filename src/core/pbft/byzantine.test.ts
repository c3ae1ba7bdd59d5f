import { describe, expect, it } from 'vitest';
import { PBFT_BEHAVIOURS, type PbftBehaviour } from './byzantine';
import { FOUR, R1, R2, R3, R4, TestNet } from './testNet';
import { testDigest, testPrng } from './testDigest';

const net4 = () => new TestNet(FOUR, testDigest, testPrng);

describe('pBFT with one Byzantine replica of four', () => {
  it('an equivocating primary is caught with two headers it signed, flagged everywhere, and replaced', () => {
    const net = net4();
    net.agent(R1).rewriter.behaviour = 'equivocate';
    net.propose(R2, '{"kind":"pay","to":"x"}');
    net.run();
    net.advanceBy(100);
    for (const id of [R2, R3, R4]) {
      const agent = net.agent(id);
      expect(agent.replica.snapshot().flagged).toEqual([R1]);
      const proof = agent.events.find((e) => e.type === 'pbft-misbehaviour');
      expect(proof).toMatchObject({ type: 'pbft-misbehaviour', replica: R1, kind: 'equivocation' });
      if (proof?.type === 'pbft-misbehaviour') {
        const { first, second } = proof.evidence;
        expect([first.view, first.seq, first.replica]).toEqual([
          second.view,
          second.seq,
          second.replica,
        ]);
        expect(first.digest).not.toBe(second.digest);
      }
      expect(agent.events).toContainEqual({
        type: 'pbft-view-change',
        fromView: 0,
        toView: 1,
        reason: 'evidence',
      });
      expect(agent.replica.snapshot()).toMatchObject({ view: 1, primary: R2 });
      expect(agent.app.items).toEqual(['{"kind":"pay","to":"x"}']);
    }
  });

  const cases: [PbftBehaviour, 'primary' | 'backup'][] = PBFT_BEHAVIOURS.filter(
    (b) => b !== 'honest',
  ).flatMap((b) => [
    [b, 'primary'],
    [b, 'backup'],
  ]);
  it.each(cases)(
    '%s as the %s: the honest three agree and every request commits',
    (behaviour, role) => {
      const net = net4();
      const liar = role === 'primary' ? R1 : R4;
      net.agent(liar).rewriter.behaviour = behaviour;
      const honest = FOUR.filter((id) => id !== liar);
      for (let i = 0; i < 6; i++) {
        net.propose(honest[i % 3]!, `{"kind":"op","i":${i}}`);
        net.advanceBy(50);
      }
      net.advanceBy(3000);
      const order = net.agent(honest[0]!).app.items;
      expect(order).toHaveLength(6);
      for (const id of honest) {
        expect(net.agent(id).app.items).toEqual(order);
        const done = net.agent(id).clientEvents.filter((e) => e.type === 'proposal-committed');
        expect(done).toHaveLength(2);
      }
    },
  );
});

describe('pBFT with f + 1 = 2 Byzantine replicas of four: beyond what it tolerates', () => {
  it('two silent replicas: nothing can commit (liveness is lost) and proposals time out', () => {
    const net = net4();
    net.agent(R3).rewriter.behaviour = 'silent';
    net.agent(R4).rewriter.behaviour = 'silent';
    net.propose(R2, '{"kind":"stuck"}');
    net.advanceBy(10_500, 50);
    expect(net.agent(R1).app.items).toEqual([]);
    expect(net.agent(R2).app.items).toEqual([]);
    expect(net.agent(R2).clientEvents).toEqual([
      expect.objectContaining({ type: 'proposal-failed', error: 'timeout' }),
    ]);
  });

  it('an equivocating primary with a second liar is still caught and flagged', () => {
    const net = net4();
    net.agent(R1).rewriter.behaviour = 'equivocate';
    net.agent(R4).rewriter.behaviour = 'conflicting-votes';
    net.propose(R2, '{"kind":"a"}');
    net.run();
    net.advanceBy(100);
    for (const id of [R2, R3]) expect(net.agent(id).replica.snapshot().flagged).toContain(R1);
  });
});
