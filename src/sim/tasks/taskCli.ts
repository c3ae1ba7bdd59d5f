import { seedCommandMain } from '../seedBatchCli';
import { runTaskSeed, type TaskSeedResult } from './taskRun';

const USAGE = `npm run sim:tasks -- [options]
  --seed N          run one seed and print its plan and outcome
  --from N          first seed of a batch (default: random, printed)
  --count N         seeds in the batch (default 1000)`;

function summary(result: TaskSeedResult): string {
  const { plan } = result;
  const jobs = plan.jobs.map((j) => `${j.strategy} ${j.tasks}x${j.taskMs} ms`).join(', ');
  const partition =
    plan.partition === null
      ? 'none'
      : `agents ${plan.partition.minority.join(',')} cut off ${plan.partition.atMs}-${plan.partition.healAtMs} ms`;
  return [
    `seed ${result.seed}: ${plan.agents} agents; jobs ${jobs}`,
    `  crashes ${plan.crashes.join(',') || 'none'}; partition ${partition}; slow agent ${plan.slow ?? 'none'}`,
    `  ${result.jobsDone} jobs done by ${result.endMs.toFixed(0)} ms, ${result.steals} steals, ${result.reassigned} reassignments`,
    ...result.failures.map((f) => `  failure: ${f}`),
  ].join('\n');
}

process.exitCode = seedCommandMain(process.argv.slice(2), USAGE, () => ({
  run: runTaskSeed,
  failed: (result) => result.failures.length > 0,
  summary,
}));
