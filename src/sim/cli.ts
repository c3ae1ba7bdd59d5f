import { parseArgs } from 'node:util';
import { SafetyViolation } from './checkers';
import type { DelayModel, PathConfig } from './network';
import { runSimulation, type SimReport, type SimRunOptions } from './runner';

const USAGE = `npm run sim -- [options]
  --seed N               run seed (default: random, printed)
  --agents N             agents (default 100)
  --seconds N            simulated seconds (default 60)
  --faults               random crashes, partitions, cuts, spikes from the seed; healed before the end
  --loss P --dup P       frame loss / duplication probability
  --reorder P            probability a frame is held back by up to --reorder-ms (default 50)
  --delay-ms B --jitter-ms J   one-way delay B + uniform [0, J) (default 10 + 5)
  --lognormal M,S        one-way delay median M ms, sigma S instead
  --degree D | --full    random topology with D links per agent, or a full mesh
  --ping-interval-ms N --ping-fanout N   links protocol heartbeat settings
  --check-every K        check invariants after every K-th event (default 1)
  --liveness-bound-ms N  time after the heal for every link to be back (default derived)
  --trace-tail N         keep and print the last N trace records on failure
  --json                 print the report as JSON`;

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed))
    throw new Error(`--${name} needs a number, got ${JSON.stringify(value)}`);
  return parsed;
}

function parseOptions(argv: string[]): {
  options: SimRunOptions;
  json: boolean;
  seedGiven: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      agents: { type: 'string' },
      seconds: { type: 'string' },
      faults: { type: 'boolean' },
      loss: { type: 'string' },
      dup: { type: 'string' },
      reorder: { type: 'string' },
      'reorder-ms': { type: 'string' },
      'delay-ms': { type: 'string' },
      'jitter-ms': { type: 'string' },
      lognormal: { type: 'string' },
      degree: { type: 'string' },
      full: { type: 'boolean' },
      'ping-interval-ms': { type: 'string' },
      'ping-fanout': { type: 'string' },
      'check-every': { type: 'string' },
      'liveness-bound-ms': { type: 'string' },
      'trace-tail': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: keyof typeof values) => numberOption(values[name] as string | undefined, name);
  const givenSeed = num('seed');
  // The one place randomness enters the simulator: choosing a seed, which is then printed.
  const seed = givenSeed ?? Math.floor(Math.random() * 2 ** 32);
  const network: Partial<PathConfig> = {};
  const loss = num('loss');
  const dup = num('dup');
  const reorder = num('reorder');
  const reorderMs = num('reorder-ms');
  if (loss !== undefined) network.lossRate = loss;
  if (dup !== undefined) network.duplicateRate = dup;
  if (reorder !== undefined) network.reorderRate = reorder;
  if (reorderMs !== undefined) network.reorderExtraMs = reorderMs;
  const delayMs = num('delay-ms');
  const jitterMs = num('jitter-ms');
  if (values.lognormal !== undefined) {
    const [median, sigma] = values.lognormal.split(',').map(Number);
    const delay: DelayModel = { kind: 'lognormal', medianMs: median ?? NaN, sigma: sigma ?? NaN };
    network.delay = delay;
  } else if (delayMs !== undefined || jitterMs !== undefined) {
    network.delay = { kind: 'uniform', baseMs: delayMs ?? 10, jitterMs: jitterMs ?? 5 };
  }
  const links: SimRunOptions['links'] = {};
  const pingIntervalMs = num('ping-interval-ms');
  const pingFanout = num('ping-fanout');
  if (pingIntervalMs !== undefined) links.pingIntervalMs = pingIntervalMs;
  if (pingFanout !== undefined) links.pingFanout = pingFanout;
  const degree = num('degree');
  const options: SimRunOptions = {
    seed,
    agents: num('agents') ?? 100,
    seconds: num('seconds') ?? 60,
    faults: values.faults ?? false,
    network,
    links,
    checkEvery: num('check-every') ?? 1,
    traceKeepLast: num('trace-tail') ?? 0,
  };
  if (values.full) options.topology = { kind: 'full' };
  else if (degree !== undefined) options.topology = { kind: 'random', degree };
  const bound = num('liveness-bound-ms');
  if (bound !== undefined) options.livenessBoundMs = bound;
  return { options, json: values.json ?? false, seedGiven: givenSeed !== undefined };
}

function summary(report: SimReport): string {
  const m = report.messages;
  const membershipProblems = report.membership.livenessProblems;
  const dropped = Object.entries(m.dropped)
    .filter(([, count]) => count > 0)
    .map(([cause, count]) => `${cause} ${count}`)
    .join(', ');
  const rate = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `agents ${report.agents}, links ${report.links}, simulated ${report.simSeconds} s, faults ${report.faults}`,
    `messages sent ${m.sent}, delivered ${m.delivered}, duplicated ${m.duplicated}, dropped ${dropped || 'none'}`,
    `host events ${JSON.stringify(report.hostEvents)}`,
    `events ${report.events}, trace records ${report.traceRecords}, trace hash ${report.traceHash}`,
    `invariant checks passed ${report.invariantChecks} (every ${report.checkEvery} event(s)), sweeps ${report.sweeps}`,
    `liveness ${report.livenessProblems === null ? 'not checked (run too short)' : report.livenessProblems.length === 0 ? 'ok' : `FAILED (${report.livenessProblems.length} problems)`}`,
    `membership: ${report.membership.suspicions} suspicions, ${report.membership.deadVerdicts} dead verdicts, ${report.membership.refutations} refutations; agreement ${membershipProblems === null ? 'not checked (run too short)' : membershipProblems.length === 0 ? 'ok' : `FAILED (${membershipProblems.length} problems)`}`,
    `wall ${report.wallMs.toFixed(0)} ms: ${report.speedup.toFixed(1)}x real time, ${rate(report.messagesPerWallSecond)} messages/s, ${rate(report.eventsPerWallSecond)} events/s`,
  ].join('\n');
}

function main(): void {
  const { options, json, seedGiven } = parseOptions(process.argv.slice(2));
  const replay = `npm run sim -- ${process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--seed' && all[i - 1] !== '--seed')
    .join(' ')} --seed ${options.seed}`;
  console.log(`seed ${options.seed}${seedGiven ? '' : ' (chosen at random)'}`);
  let report: SimReport;
  try {
    report = runSimulation(options);
  } catch (error) {
    if (!(error instanceof SafetyViolation)) throw error;
    console.error(`SAFETY VIOLATION: ${error.message}`);
    for (const record of error.traceTail) console.error(JSON.stringify(record));
    console.error(`replay: ${replay}`);
    process.exit(1);
  }
  console.log(json ? JSON.stringify(report, null, 2) : summary(report));
  const problems = [
    ...(report.livenessProblems ?? []),
    ...(report.membership.livenessProblems ?? []),
  ];
  if (problems.length > 0) {
    for (const problem of problems.slice(0, 20)) console.error(`liveness: ${problem}`);
    console.error(`replay: ${replay}`);
    process.exit(1);
  }
}

main();
