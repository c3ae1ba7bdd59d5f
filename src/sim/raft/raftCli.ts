import { parseArgs } from 'node:util';
import { runRaftSeed, type RaftRunResult } from './raftRun';

const USAGE = `npm run sim:raft -- [options]
  --seed N          run one seed and print its plan and outcome
  --from N          first seed of a batch (default: random, printed)
  --count N         seeds in the batch (default 1000)
  --linearizability check each run's register history too`;

function summary(result: RaftRunResult): string {
  const { plan } = result;
  return [
    `seed ${result.seed}: ${plan.voters} voters, loss ${plan.lossRate.toFixed(3)}, dup ${plan.duplicateRate.toFixed(3)}, reorder ${plan.reorderRate.toFixed(3)}, jitter ${plan.timerJitterMs.toFixed(1)} ms`,
    `  faults: ${plan.faults.map((f) => `${f.kind}@${f.atMs}`).join(' ')}`,
    `  leaders elected ${result.elections}, committed ${result.committed}, changes ${result.membershipChanges}, snapshots installed ${result.snapshotsInstalled}, history ${result.historyOps} ops, linearizable ${String(result.linearizable)}`,
    `  recovered ${result.recoveryMs === null ? 'never' : `${result.recoveryMs} ms`} after the heal; fingerprint ${result.fingerprint}`,
    ...result.violations.map((v) => `  safety: ${v}`),
    ...result.livenessFailures.map((v) => `  liveness: ${v}`),
  ].join('\n');
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      from: { type: 'string' },
      count: { type: 'string' },
      linearizability: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const checkLinearizability = values.linearizability === true;
  if (values.seed !== undefined) {
    const result = runRaftSeed(Number(values.seed), { checkLinearizability });
    console.log(summary(result));
    return result.violations.length + result.livenessFailures.length === 0 ? 0 : 1;
  }
  const from =
    values.from === undefined ? 1 + Math.floor(Math.random() * 1e9) : Number(values.from);
  const count = values.count === undefined ? 1000 : Number(values.count);
  console.log(`seeds ${from}..${from + count - 1}`);
  const startedMs = Date.now();
  let failed = 0;
  for (let seed = from; seed < from + count; seed++) {
    const result = runRaftSeed(seed, { checkLinearizability });
    if (result.violations.length + result.livenessFailures.length > 0) {
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
