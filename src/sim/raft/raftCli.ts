import { seedCommandMain } from '../seedBatchCli';
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

process.exitCode = seedCommandMain(
  process.argv.slice(2),
  USAGE,
  ({ linearizability }) => ({
    run: (seed) => runRaftSeed(seed, { checkLinearizability: linearizability === true }),
    failed: (result) => result.violations.length + result.livenessFailures.length > 0,
    summary,
  }),
  ['linearizability'],
);
