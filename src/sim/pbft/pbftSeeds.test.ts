import { describe, expect, it } from 'vitest';
import { PBFT_REGRESSION_SEEDS } from './regressions';
import { runPbftSeed } from './pbftRun';
import { failingSeeds, seedRange } from './seedBatch';

describe('pBFT seeded runs', () => {
  it('seeds 1-500: safe after every event, live after the heal', () => {
    expect(failingSeeds(seedRange(1, 500))).toEqual([]);
  }, 120_000);

  it('every regression seed stays safe and live', () => {
    expect(failingSeeds(PBFT_REGRESSION_SEEDS.map((r) => r.seed))).toEqual([]);
  });

  it('a seed replays bit for bit; another seed runs differently', () => {
    const first = runPbftSeed(42);
    const again = runPbftSeed(42);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.plan).toEqual(first.plan);
    expect(runPbftSeed(43).fingerprint).not.toBe(first.fingerprint);
  });

  it('the runs exercise what they claim: faults, Byzantine replicas, twins, amnesia, changes of the set', () => {
    const runs = seedRange(1, 200).map((seed) => runPbftSeed(seed));
    const plans = runs.map((run) => run.plan);
    // Changes of the replica set were proposed, both kinds, and many took effect.
    for (const op of ['add', 'remove']) {
      const changed = runs.filter((run) => run.plan.reconfiguration?.op === op && run.epoch > 0);
      expect(changed.length, op).toBeGreaterThan(10);
    }
    const behaviours = new Set(plans.flatMap((p) => p.behaviours.map((b) => b.behaviour)));
    expect([...behaviours].sort()).toEqual(
      [
        'conflicting-votes',
        'equivocate',
        'forge-view-change',
        'replay',
        'silent',
        'wrong-digest',
      ].sort(),
    );
    expect(plans.some((p) => p.twinOf !== null)).toBe(true);
    expect(plans.some((p) => p.amnesiac !== null)).toBe(true);
    const kinds = new Set(plans.flatMap((p) => p.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual([
      'crash',
      'lossy',
      'partition',
      'restart-empty',
      'restart-stored',
    ]);
    expect(new Set(plans.map((p) => p.replicas))).toEqual(new Set([4, 5, 6, 7]));
  }, 60_000);
});
