import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../base/ids';
import { fixedId } from '../../base/testSupport';
import { FOUR, R1, R2, R3, R4 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

const X = fixedId('a');

/**
 * R4 is silent (the one faulty replica of four) and one prepare from R2 to `to` is lost; the
 * three others must still commit in view 0, within three retransmission rounds (150 ms
 * apart), before the request timer (500 ms) would change the view.
 */
function losePrepareTo(to: AgentId): ScenarioNet {
  const h = new ScenarioNet(FOUR);
  let dropped = 0;
  h.filter = (m) => {
    if (m.from === R4) return false;
    if (m.from === R2 && m.to === to && m.msg.type === 'pbft-prepare' && dropped === 0) {
      dropped++;
      return false;
    }
    return true;
  };
  h.request(X, 1, '{"kind":"x"}');
  h.run();
  expect(dropped).toBe(1);
  h.advanceBy(480);
  return h;
}

describe('retransmission targets', () => {
  it('a prepare lost on its way to a backup is sent again, and the slot commits in its view', () => {
    const h = losePrepareTo(R3);
    // R2 heard R3's prepare; that says nothing about R3 having R2's, so it goes again.
    for (const id of [R1, R2, R3]) {
      expect(h.node(id).replica.snapshot().view).toBe(0);
      expect(h.node(id).app.items).toEqual(['{"kind":"x"}']);
    }
  });

  it('a prepare lost on its way to the primary is sent again too: it needs two backups', () => {
    const h = losePrepareTo(R1);
    for (const id of [R1, R2, R3]) {
      expect(h.node(id).replica.snapshot().view).toBe(0);
      expect(h.node(id).app.items).toEqual(['{"kind":"x"}']);
    }
  });
});
