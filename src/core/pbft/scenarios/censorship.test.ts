import { describe, expect, it } from 'vitest';
import { fixedId } from '../../base/testSupport';
import { FOUR, R1 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

const X = fixedId('a');
const W = fixedId('c');

describe('request timer vs a censoring primary', () => {
  it('a primary that never orders one client’s request, while ordering others, is replaced', () => {
    const h = new ScenarioNet(FOUR);
    // R1 (primary of view 0, the one faulty replica) ignores every message from client X.
    h.filter = (m) => !(m.from === X && m.to === R1);
    h.request(X, 1, '{"kind":"censored"}');
    h.run();
    // Another client keeps the system busy: R1 orders its requests, one every 100 ms.
    for (let i = 0; i < 50; i++) {
      h.request(W, 100 + i, `{"kind":"w${i}"}`);
      h.advanceBy(100);
    }
    // 5 s is ten request timeouts: the backups waited for X's request all along.
    const backups = FOUR.filter((id) => id !== R1);
    for (const id of backups) {
      expect(h.node(id).app.items).toContain('{"kind":"censored"}');
    }
  });
});
