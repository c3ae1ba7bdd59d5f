import { runPbftSeed } from './pbftRun';

/**
 * Runs seeds and returns one line per failing seed, with what failed and how to replay it, so
 * a test failure names the seed (which then joins the regression list in regressions.ts).
 */
export function failingSeeds(seeds: Iterable<number>): string[] {
  const failures: string[] = [];
  for (const seed of seeds) {
    const result = runPbftSeed(seed);
    const problems = [...result.violations, ...result.livenessFailures.slice(0, 3)];
    if (problems.length > 0) {
      failures.push(`seed ${seed} (npm run sim:pbft -- --seed ${seed}): ${problems.join('; ')}`);
    }
  }
  return failures;
}

export function seedRange(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}
