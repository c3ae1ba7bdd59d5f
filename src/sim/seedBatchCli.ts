/** What a seed command line (`npm run sim:raft`, `sim:tasks`) runs for one seed. */
export interface SeedCommand<R> {
  run(seed: number): R;
  /** Whether the run broke something. */
  failed(result: R): boolean;
  /** The run's plan and outcome, in lines. */
  summary(result: R): string;
}

/**
 * `--seed N` runs one seed and prints it; otherwise `count` seeds from `from` (a random start,
 * printed so the batch can be run again), printing the ones that fail. Returns the exit code.
 */
export function runSeedCommand<R>(
  command: SeedCommand<R>,
  values: { seed?: string; from?: string; count?: string },
): number {
  if (values.seed !== undefined) {
    const result = command.run(Number(values.seed));
    console.log(command.summary(result));
    return command.failed(result) ? 1 : 0;
  }
  const from =
    values.from === undefined ? 1 + Math.floor(Math.random() * 1e9) : Number(values.from);
  const count = values.count === undefined ? 1000 : Number(values.count);
  console.log(`seeds ${from}..${from + count - 1}`);
  const startedMs = Date.now();
  let failed = 0;
  for (let seed = from; seed < from + count; seed++) {
    const result = command.run(seed);
    if (command.failed(result)) {
      failed++;
      console.log(command.summary(result));
    }
  }
  console.log(
    `${count - failed} of ${count} passed in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
  );
  return failed === 0 ? 0 : 1;
}
