import { parseArgs } from 'node:util';
import { runPbftSeed, type PbftRunResult } from './pbftRun';

const USAGE = `npm run sim:pbft -- [options]
  --seed N         run one seed and print its plan and outcome
  --from N         first seed of a batch (default: random, printed)
  --count N        seeds in the batch (default 1000)
  --time-box-s S   stop the batch after S seconds of wall time (default: none)
  --json           print the summary as JSON`;

function describeFailure(result: PbftRunResult): string {
  const { plan } = result;
  const faulty = [
    ...plan.behaviours.map((b) => `#${b.node} ${b.behaviour}`),
    ...(plan.twinOf === null ? [] : [`#${plan.twinOf} twins`]),
    ...(plan.amnesiac === null ? [] : [`#${plan.amnesiac} restarted empty`]),
  ];
  return [
    `seed ${result.seed}: n=${plan.replicas} f=${plan.f} faulty [${faulty.join(', ')}] faults [${plan.faults.map((f) => f.kind).join(', ')}]` +
      (plan.reconfiguration === null
        ? ''
        : ` change ${plan.reconfiguration.op}${plan.reconfiguration.op === 'remove' ? ` #${plan.reconfiguration.node}` : ''} at ${plan.reconfiguration.atMs} ms`),
    ...result.violations.map((v) => `  safety: ${v}`),
    ...result.livenessFailures.slice(0, 8).map((v) => `  liveness: ${v}`),
    `  replay: npm run sim:pbft -- --seed ${result.seed}`,
  ].join('\n');
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      from: { type: 'string' },
      count: { type: 'string' },
      'time-box-s': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.seed !== undefined) {
    const result = runPbftSeed(Number(values.seed));
    console.log(
      JSON.stringify(
        { plan: result.plan, committed: result.committed, fingerprint: result.fingerprint },
        null,
        2,
      ),
    );
    const failed = result.violations.length > 0 || result.livenessFailures.length > 0;
    console.log(failed ? describeFailure(result) : `seed ${result.seed}: safe and live`);
    return failed ? 1 : 0;
  }
  // The only unseeded draw: where a batch starts, printed so it can be run again.
  const from =
    values.from === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.from);
  const count = values.count === undefined ? 1000 : Number(values.count);
  const boxMs = values['time-box-s'] === undefined ? Infinity : Number(values['time-box-s']) * 1000;
  console.log(`pBFT seeds from ${from}, up to ${count}`);
  const startedMs = performance.now();
  const failures: PbftRunResult[] = [];
  let ran = 0;
  let committed = 0;
  for (let seed = from; seed < from + count && performance.now() - startedMs < boxMs; seed++) {
    const result = runPbftSeed(seed);
    ran++;
    committed += result.committed;
    if (result.violations.length > 0 || result.livenessFailures.length > 0) {
      failures.push(result);
      console.log(describeFailure(result));
    }
  }
  const wallMs = performance.now() - startedMs;
  const summary = {
    from,
    seeds: ran,
    failed: failures.length,
    committedProposals: committed,
    seedsPerSecond: Math.round((ran / wallMs) * 1000 * 10) / 10,
  };
  console.log(values.json ? JSON.stringify(summary) : summary);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
