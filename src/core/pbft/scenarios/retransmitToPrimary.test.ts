import { describe, expect, it } from 'vitest';
import { fixedId } from '../../base/testSupport';
import { FOUR, R1, R2, R3, R4 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

const X = fixedId('a');

describe('retransmission to the primary', () => {
  it('one lost prepare to the primary (R4 silent) is never sent again: the slot cannot commit in its view', () => {
    const h = new ScenarioNet(FOUR);
    let dropped = 0;
    h.filter = (m) => {
      if (m.from === R4) return false;
      if (m.from === R2 && m.to === R1 && m.msg.type === 'pbft-prepare' && dropped === 0) {
        dropped++;
        return false;
      }
      return true;
    };
    h.request(X, 1, '{"kind":"x"}');
    h.run();
    expect(dropped).toBe(1);
    // Three retransmission rounds (150 ms each), still before the request timer (500 ms).
    h.advanceBy(480);
    for (const id of [R1, R2, R3]) {
      expect(h.node(id).replica.snapshot().view).toBe(0);
      expect(h.node(id).app.items).toEqual(['{"kind":"x"}']);
    }
  });
});
