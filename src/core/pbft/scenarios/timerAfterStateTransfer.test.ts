import { describe, expect, it } from 'vitest';
import { fixedId } from '../../base/testSupport';
import { FOUR, R1, R2, R3, R4 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

const C = fixedId('c');

describe('request timer after a state transfer', () => {
  it('a request that came in by state transfer no longer times the primary', () => {
    const h = new ScenarioNet(FOUR);
    // R4 hears only the client, not the other replicas: it times C's first request.
    h.filter = (m) => !(m.to === R4 && FOUR.includes(m.from));
    h.request(C, 1, '{"kind":"a0"}');
    h.run();
    for (let i = 1; i < 16; i++) {
      h.request(C, 1 + i, `{"kind":"a${i}"}`, [R1, R2, R3]);
      h.run();
    }
    expect(h.node(R1).replica.snapshot().stableCheckpointSeq).toBe(16);
    // R4 comes back at once: the state at 16 holds C's first request.
    h.filter = () => true;
    h.step(h.node(R4), { kind: 'peerUp', peer: R1, nowMs: h.nowMs });
    h.run();
    const r4 = h.node(R4).replica.snapshot();
    expect(r4.lastExecutedSeq).toBe(16);
    expect(r4.pendingRequests).toBe(0);
    // Nothing waits anywhere; two seconds idle must not change the view.
    h.advanceBy(2_000, 50);
    const changes = h.node(R4).events.filter((e) => e.type === 'pbft-view-change');
    expect(changes).toEqual([]);
    expect(h.node(R4).replica.snapshot().status).toBe('normal');
    void R2;
    void R3;
  });
});
