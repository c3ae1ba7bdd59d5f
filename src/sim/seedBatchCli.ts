import { parseArgs } from 'node:util';

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

/**
 * A seed command line's whole run: `--seed`, `--from`, `--count`, `--help` and the command's
 * own boolean flags, then runSeedCommand. Returns the exit code.
 */
export function seedCommandMain<R>(
  argv: string[],
  usage: string,
  command: (flags: Record<string, boolean>) => SeedCommand<R>,
  booleanFlags: readonly string[] = [],
): number {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    seed: { type: 'string' },
    from: { type: 'string' },
    count: { type: 'string' },
    help: { type: 'boolean' },
  };
  for (const flag of booleanFlags) options[flag] = { type: 'boolean' };
  const { values } = parseArgs({ args: argv, options });
  if (values.help === true) {
    console.log(usage);
    return 0;
  }
  const flags = Object.fromEntries(booleanFlags.map((flag) => [flag, values[flag] === true]));
  const text = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  return runSeedCommand(command(flags), {
    ...(text('seed') === undefined ? {} : { seed: text('seed') as string }),
    ...(text('from') === undefined ? {} : { from: text('from') as string }),
    ...(text('count') === undefined ? {} : { count: text('count') as string }),
  });
}
