import { describe, expect, it } from 'vitest';
import { fixedId } from '../../base/testSupport';
import { FOUR, R1, R2, R3, R4 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

const X = fixedId('a');

describe('retransmission targets', () => {
  it('one lost prepare is never sent again: the slot cannot commit in its view', () => {
    const h = new ScenarioNet(FOUR);
    let dropped = 0;
    // R4 is the faulty replica (silent). One prepare R2 -> R3 is lost; nothing else is.
    h.filter = (m) => {
      if (m.from === R4) return false;
      if (m.from === R2 && m.to === R3 && m.msg.type === 'pbft-prepare' && dropped === 0) {
        dropped++;
        return false;
      }
      return true;
    };
    h.request(X, 1, '{"kind":"x"}');
    h.run();
    expect(dropped).toBe(1);
    // Healed network, three retransmission rounds (150 ms each), still before the request timer.
    h.advanceBy(480);
    const resentToR3 = h.node(R3).replica.snapshot().slots[0];
    // R2 heard R3's prepare, so it "re-sends to replicas not heard from" = R4 only, never to R3.
    expect(resentToR3?.phase).not.toBe('pre-prepared');
    for (const id of [R1, R2, R3]) expect(h.node(id).app.items).toEqual(['{"kind":"x"}']);
  });
});
