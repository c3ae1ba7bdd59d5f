import { describe, expect, it } from 'vitest';
import { failingRaftSeeds } from './raftSeedBatch';

// A second file, so the two halves of the thousand seeds run on two workers at once.
describe('Raft seeded runs, second half', () => {
  it('seeds 501-1000: safe after every event, live after the heal', () => {
    expect(failingRaftSeeds(501, 500)).toEqual([]);
  }, 120_000);
});
