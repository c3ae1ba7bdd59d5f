import { runRaftSeed } from './raftRun';

/**
 * Runs `count` seeds from `from` and returns one line per failing seed, with what failed and
 * how to replay it.
 */
export function failingRaftSeeds(
  from: number,
  count: number,
  options: { checkLinearizability?: boolean } = {},
): string[] {
  const failures: string[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const result = runRaftSeed(seed, options);
    const problems = [...result.violations, ...result.livenessFailures];
    if (problems.length > 0)
      failures.push(`seed ${seed} (npm run sim:raft -- --seed ${seed}): ${problems.join('; ')}`);
  }
  return failures;
}
