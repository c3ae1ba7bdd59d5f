import { parseArgs } from 'node:util';
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

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      from: { type: 'string' },
      count: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  if (values.seed !== undefined) {
    const result = runTaskSeed(Number(values.seed));
    console.log(summary(result));
    return result.failures.length === 0 ? 0 : 1;
  }
  const from =
    values.from === undefined ? 1 + Math.floor(Math.random() * 1e9) : Number(values.from);
  const count = values.count === undefined ? 1000 : Number(values.count);
  console.log(`seeds ${from}..${from + count - 1}`);
  const startedMs = Date.now();
  let failed = 0;
  for (let seed = from; seed < from + count; seed++) {
    const result = runTaskSeed(seed);
    if (result.failures.length > 0) {
      failed++;
      console.log(summary(result));
    }
  }
  console.log(
    `${count - failed} of ${count} passed in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
  );
  return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
