import { describe, expect, it } from 'vitest';
import { B, C, D, SELF } from '../base/testSupport';
import { planRebalance, type UtilisationLoad } from './rebalance';

const load = (agent: typeof SELF, utilisation: number, queued: number): UtilisationLoad => ({
  agent,
  utilisation,
  queued,
  workers: 2,
});

describe('planRebalance', () => {
  it('a hot agent hands half the queue difference to the coldest peer, bounded', () => {
    const result = planRebalance(load(SELF, 0.95, 30), false, [
      load(B, 0.25, 2),
      load(C, 0.05, 4),
      load(D, 0.6, 0),
    ]);
    expect(result).toEqual({
      hot: true,
      plan: { to: C, count: 8, selfUtilisation: 0.95, peerUtilisation: 0.05 },
    });
    expect(planRebalance(load(SELF, 0.95, 8), false, [load(C, 0.05, 4)]).plan?.count).toBe(2);
  });

  it('hysteresis: hot above 0.8, hot until below 0.7; cold only below 0.3', () => {
    const peers = [load(B, 0.1, 0)];
    expect(planRebalance(load(SELF, 0.79, 20), false, peers)).toEqual({ hot: false, plan: null });
    expect(planRebalance(load(SELF, 0.75, 20), true, peers).hot).toBe(true);
    expect(planRebalance(load(SELF, 0.75, 20), true, peers).plan?.to).toBe(B);
    expect(planRebalance(load(SELF, 0.69, 20), true, peers)).toEqual({ hot: false, plan: null });
    expect(planRebalance(load(SELF, 0.9, 20), false, [load(B, 0.3, 0)]).plan).toBeNull();
  });

  it('moves nothing when the hot agent has no more queued than its workers, or no cold peer has less', () => {
    expect(planRebalance(load(SELF, 0.99, 2), false, [load(B, 0, 0)]).plan).toBeNull();
    expect(planRebalance(load(SELF, 0.99, 10), false, [load(B, 0, 10)]).plan).toBeNull();
    expect(planRebalance(load(SELF, 0.99, 10), false, [load(SELF, 0, 0)]).plan).toBeNull();
  });
});
