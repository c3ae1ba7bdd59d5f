import { describe, expect, it } from 'vitest';
import { FOUR, R1, R2, R3, R4 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

describe('claims far ahead from one faulty replica', () => {
  it('one checkpoint for a far sequence number keeps an idle replica asking for catch-up forever', () => {
    const h = new ScenarioNet(FOUR);
    // R4 (faulty) signs one checkpoint for a number nobody will reach; it is well-formed.
    h.inject(R4, R1, {
      type: 'pbft-checkpoint',
      seq: 16 * 1_000_000,
      stateDigest: 'f'.repeat(64),
      replica: R4,
      sig: '',
    });
    h.run();
    let asks = 0;
    h.filter = (m) => {
      if (m.from === R1 && m.msg.type === 'pbft-entries-request') asks++;
      return true;
    };
    // Nothing is pending anywhere; ten idle seconds.
    h.advanceBy(10_000, 100);
    expect(h.node(R1).replica.snapshot().pendingRequests).toBe(0);
    expect(asks).toBe(0);
    void R2;
    void R3;
  });
});
