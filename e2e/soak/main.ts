/**
 * Soak: runs the end-to-end suite (or the whole `npm test`) again and again, optionally with
 * busy processes loading the CPU, then prints each test's pass rate, its slowest run and the
 * first failure with its attachments (screenshots, traces, error context).
 *
 *   npm run test:e2e:soak -- --runs 10 [--load 4] [--load-runs 1] [--npm-test] [--grep text]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startCpuLoad } from './cpuLoad';
import { parsePlaywrightReport } from './playwrightReport';
import { formatSoakSummary, runPassed, type SoakRun } from './soakSummary';

interface SoakOptions {
  runs: number;
  load: number;
  /** How many runs, from the first, have the load beside them. */
  loadRuns: number;
  npmTest: boolean;
  grep: string | null;
  stopOnFailure: boolean;
}

const USAGE =
  'usage: npm run test:e2e:soak -- [--runs N] [--load K] [--load-runs L] [--npm-test] [--grep text] [--stop-on-failure]';
/** A run that takes longer than this is stopped (CI's whole budget is 30 minutes). */
const MAX_RUN_SECONDS = 1800;

function parseArgs(argv: string[]): SoakOptions {
  const options: SoakOptions = {
    runs: 10,
    load: 0,
    loadRuns: -1,
    npmTest: false,
    grep: null,
    stopOnFailure: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    const count = (max: number) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0 || n > max) {
        throw new Error(`${arg} takes a whole number from 0 to ${max}\n${USAGE}`);
      }
      return n;
    };
    if (arg === '--runs') options.runs = Math.max(1, count(1000));
    else if (arg === '--load') options.load = count(16);
    else if (arg === '--load-runs') options.loadRuns = count(1000);
    else if (arg === '--npm-test') options.npmTest = true;
    else if (arg === '--grep') options.grep = value();
    else if (arg === '--stop-on-failure') options.stopOnFailure = true;
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (options.loadRuns < 0) options.loadRuns = options.runs;
  return options;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const timer = setTimeout(() => child.kill('SIGKILL'), MAX_RUN_SECONDS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done(code ?? (signal === null ? 1 : 128));
    });
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const root = resolve(import.meta.dirname, '..', '..');
  const soakDir = join(root, 'test-results', 'soak');
  rmSync(soakDir, { recursive: true, force: true });
  mkdirSync(soakDir, { recursive: true });
  if (!options.npmTest && (await run('npx', ['vite', 'build'], process.env)) !== 0) {
    throw new Error('vite build failed');
  }
  const runs: SoakRun[] = [];
  for (let index = 1; index <= options.runs; index++) {
    const loadProcesses = index <= options.loadRuns ? options.load : 0;
    const outputDir = join(soakDir, `run-${index}`);
    const reportFile = join(outputDir, 'report.json');
    const env = { ...process.env, E2E_OUTPUT_DIR: outputDir, E2E_JSON_REPORT: reportFile };
    const grep = options.grep === null ? [] : ['--grep', options.grep];
    const [command, args] = options.npmTest
      ? ['npm', ['test']]
      : ['npx', ['playwright', 'test', ...grep]];
    console.log(
      `\nsoak: run ${index} of ${options.runs}: ${command} ${args.join(' ')}` +
        (loadProcesses > 0 ? ` with ${loadProcesses} busy processes` : ''),
    );
    const load = startCpuLoad(loadProcesses, MAX_RUN_SECONDS);
    const startedMs = Date.now();
    let exitCode: number;
    try {
      exitCode = await run(command, args as string[], env);
    } finally {
      load.stop();
    }
    const wallMs = Date.now() - startedMs;
    let outcomes: SoakRun['outcomes'] = [];
    let reportError: string | null = null;
    if (existsSync(reportFile)) {
      try {
        outcomes = parsePlaywrightReport(readFileSync(reportFile, 'utf8'));
      } catch (error) {
        reportError = String(error);
      }
    } else {
      reportError = 'no Playwright report (the run stopped before the end-to-end phase)';
    }
    const result: SoakRun = { index, loadProcesses, exitCode, wallMs, outcomes, reportError };
    runs.push(result);
    if (options.stopOnFailure && !runPassed(result)) break;
  }
  console.log(`\n${formatSoakSummary(runs)}`);
  process.exitCode = runs.every(runPassed) ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
