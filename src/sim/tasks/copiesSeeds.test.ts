import { describe, expect, it } from 'vitest';
import { runCopiesSeed } from './copiesRun';

describe('copies of critical tasks in the simulator', () => {
  it('seeds 1-40: copies of one task never share an agent, keep off avoided agents, and all complete', () => {
    const failed: string[] = [];
    const outcomes = new Map<string, number>();
    for (let seed = 1; seed <= 40; seed++) {
      const result = runCopiesSeed(seed);
      outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
      if (result.failures.length > 0)
        failed.push(`seed ${seed}: ${result.failures.slice(0, 3).join('; ')}`);
    }
    expect(failed).toEqual([]);
    // Most runs finish; the rest lost so many agents that a task's copies had nowhere to go.
    expect(outcomes.get('done') ?? 0).toBeGreaterThanOrEqual(30);
  });
});
