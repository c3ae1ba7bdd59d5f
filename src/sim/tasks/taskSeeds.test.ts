import { describe, expect, it } from 'vitest';
import { runTaskSeed } from './taskRun';

describe('task distribution in the simulator', () => {
  it('seeds 1-40: crashes, partitions, slow agents, lost ledger answers; no task lost or accepted twice, every job completes', () => {
    const failed: string[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const result = runTaskSeed(seed);
      if (result.failures.length > 0)
        failed.push(`seed ${seed}: ${result.failures.slice(0, 3).join('; ')}`);
    }
    expect(failed).toEqual([]);
  });

  it('regression seeds pass (each once broke: a failed result resent at a newer epoch, a move landing on a lost agent, a waiting result pushed back, an older offer ignored)', () => {
    for (const seed of [411, 1316, 1454, 826]) expect(runTaskSeed(seed).failures).toEqual([]);
  });

  it('a run is the same bit for bit from its seed', () => {
    expect(runTaskSeed(7)).toEqual(runTaskSeed(7));
  });
});
