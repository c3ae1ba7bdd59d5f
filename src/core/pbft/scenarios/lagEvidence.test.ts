import { describe, expect, it } from 'vitest';
import { FOUR, R1, R4 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

describe('lag evidence from one faulty replica', () => {
  for (const kind of ['pbft-prepare', 'pbft-commit'] as const) {
    it(`one ${kind} for a number inside the window keeps an idle replica asking for catch-up forever`, () => {
      const h = new ScenarioNet(FOUR);
      // R4 (faulty) names seq 64 (the high watermark) in view 0; nothing is pending anywhere.
      const msg =
        kind === 'pbft-prepare'
          ? ({
              type: kind,
              view: 0,
              seq: 64,
              digest: 'f'.repeat(64),
              replica: R4,
              sig: '',
            } as const)
          : ({ type: kind, view: 0, seq: 64, digest: 'f'.repeat(64) } as const);
      h.inject(R4, R1, msg);
      h.run();
      let asks = 0;
      h.filter = (m) => {
        if (m.from === R1 && m.msg.type === 'pbft-entries-request') asks++;
        return true;
      };
      h.advanceBy(10_000, 100);
      expect(h.node(R1).replica.snapshot().pendingRequests).toBe(0);
      expect(asks).toBe(0);
    });
  }
});
