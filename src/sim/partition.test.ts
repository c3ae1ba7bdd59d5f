import { describe, expect, it } from 'vitest';
import { runPartitionTrial } from './partitionTrial';

/**
 * What the quorum flag says right after a cut and through a heal, in a five-agent full mesh:
 * the side cut off must know within a reach window and a ping round (far inside the 5 s the
 * browser bench holds it to), the majority must never lose its quorum, and a heal must not
 * spread the far side's stale dead verdicts over the majority.
 */
const CUT_KNOWN_WITHIN_MS = 3000 + 1000 + 100;

const SHAPES = [
  { name: '4|1', majority: [0, 1, 2, 3] },
  { name: '3|2', majority: [0, 1, 2] },
];

describe('partitions in a five-agent mesh', () => {
  it.each([1, 2, 3, 4, 5].flatMap((seed) => SHAPES.map((shape) => ({ seed, ...shape }))))(
    'seed $seed, $name: each side knows within a window; the heal keeps the majority whole',
    ({ seed, majority }) => {
      const trial = runPartitionTrial({
        seed,
        agents: 5,
        majority,
        partitionMs: 20_000,
        phaseMs: (seed * 173) % 1000,
      });
      expect(trial.cutKnownMs).not.toBeNull();
      expect(trial.cutKnownMs as number).toBeLessThanOrEqual(CUT_KNOWN_WITHIN_MS);
      expect(trial.majorityQuorumLosses).toBe(0);
      // The minority declared the majority dead meanwhile: the verdicts a heal must not spread.
      expect(trial.minorityDeadVerdicts).toBeGreaterThan(0);
      expect(trial.healMs).not.toBeNull();
      expect(trial.majorityFalseDead).toBe(0);
      expect(trial.settled).toBe(true);
    },
  );
});
