import { describe, expect, it } from 'vitest';
import { runRaftSeed } from './raftRun';
import { failingRaftSeeds } from './raftSeedBatch';

describe('Raft seeded runs', () => {
  it('seeds 1-500: safe after every event, live after the heal', () => {
    expect(failingRaftSeeds(1, 500)).toEqual([]);
  }, 120_000);

  it('seeds 1-200: every register history is linearizable', () => {
    expect(failingRaftSeeds(1, 200, { checkLinearizability: true })).toEqual([]);
  }, 120_000);

  it('a seed replays bit for bit; another seed runs differently', () => {
    const first = runRaftSeed(42);
    const again = runRaftSeed(42);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.plan).toEqual(first.plan);
    expect(runRaftSeed(43).fingerprint).not.toBe(first.fingerprint);
  });

  it('the runs exercise what they claim: every fault, replacements, snapshots, step-downs', () => {
    const runs = Array.from({ length: 150 }, (_, i) => runRaftSeed(i + 1));
    const kinds = new Set(runs.flatMap((r) => r.plan.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual([
      'crash',
      'flap',
      'isolate-leader',
      'lossy',
      'partition',
      'replace',
    ]);
    expect(new Set(runs.map((r) => r.plan.voters))).toEqual(new Set([3, 5]));
    expect(runs.filter((r) => r.replaced > 0).length).toBeGreaterThan(20);
    // Each replacement is a removal, a learner added and a promotion: three changes.
    expect(runs.filter((r) => r.membershipChanges >= 3).length).toBeGreaterThan(20);
    expect(runs.filter((r) => r.snapshotsInstalled > 0).length).toBeGreaterThan(10);
    expect(runs.filter((r) => (r.stepDowns['check-quorum'] ?? 0) > 0).length).toBeGreaterThan(20);
    expect(runs.filter((r) => r.elections > 3).length).toBeGreaterThan(50);
    expect(runs.every((r) => r.historyOps > 20)).toBe(true);
  }, 60_000);
});
