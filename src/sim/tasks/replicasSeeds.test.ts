import { describe, expect, it } from 'vitest';
import { runReplicasSeed } from './replicasRun';

describe('kept results in the simulator', () => {
  it('seeds 1-30: after R-1 crashes and a healed partition every hash result is kept by R live agents, and fetched from any', () => {
    const failed: string[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const result = runReplicasSeed(seed);
      if (result.failures.length > 0)
        failed.push(`seed ${seed}: ${result.failures.slice(0, 3).join('; ')}`);
    }
    expect(failed).toEqual([]);
  });
});
