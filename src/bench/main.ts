import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBrowserBench } from './browserBench';
import { runBrowserDocBench } from './browserDocBench';
import { runBrowserPbftBench } from './browserPbftBench';
import { runBrowserPartitionBench } from './browserPartitionBench';
import { runBrowserRaftBench } from './browserRaftBench';
import { runBrowserTaskBench } from './browserTaskBench';
import { runMemoryBench } from './memoryBench';
import { runPbftCryptoBench } from './pbftCryptoBench';
import { runPbftSimBench } from './pbftSimBench';
import { runRaftSimBench } from './raftSimBench';
import { runRingBench } from './ringBench';
import { runTaskSimBench } from './taskSimBench';
import { writeBenchReport, type BenchResult } from './report';
import { runServerBench } from './serverBench';
import { runSimBench } from './simBench';
import { runSwimBench } from './swimBench';

/** The bench groups in the order `npm run bench` runs them; `--only <name>` runs one. */
const GROUPS: Record<string, () => Promise<BenchResult[]>> = {
  sim: runSimBench,
  swim: runSwimBench,
  pbft: async () => [...(await runPbftCryptoBench()), ...(await runPbftSimBench())],
  raft: runRaftSimBench,
  tasks: async () => [...(await runRingBench()), ...(await runTaskSimBench())],
  memory: runMemoryBench,
  server: runServerBench,
  browser: runBrowserBench,
  partition: runBrowserPartitionBench,
  doc: runBrowserDocBench,
  'pbft-browser': runBrowserPbftBench,
  'raft-browser': runBrowserRaftBench,
  'tasks-browser': runBrowserTaskBench,
};

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/**
 * Runs every group in a process of its own: the simulator leaves a heap of more than a gigabyte
 * behind, and its collections would otherwise land in the browser benches' timings.
 */
function runGroupsApart(): BenchResult[] {
  const folder = mkdtempSync(join(tmpdir(), 'bench-'));
  const results: BenchResult[] = [];
  for (const name of Object.keys(GROUPS)) {
    const file = join(folder, `${name}.json`);
    try {
      execFileSync(
        process.execPath,
        [...process.execArgv, process.argv[1] as string, '--only', name, '--results-file', file],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      results.push(...(JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]));
    } catch (error) {
      // One group's failure is a result too; the others' figures are kept.
      results.push({
        name: `bench group '${name}' failed`,
        value: Number.NaN,
        unit: '',
        target: 'completes',
        met: false,
        conditions: `the group's process exited with an error (its stderr is above): ${String(error).slice(0, 300)}`,
      });
    }
  }
  return results;
}

/**
 * `npm run bench`: the simulator benches, the membership (SWIM) benches in the simulator, the
 * memory store, then the browser benches (which start the server and Chromium themselves).
 */
async function main(): Promise<void> {
  const only = argument('--only');
  if (only !== undefined && !(only in GROUPS)) {
    throw new Error(`--only takes one of ${Object.keys(GROUPS).join(', ')}`);
  }
  const resultsFile = argument('--results-file');
  if (only !== undefined && resultsFile !== undefined) {
    writeFileSync(
      resultsFile,
      JSON.stringify(await (GROUPS[only] as () => Promise<BenchResult[]>)()),
    );
    return;
  }
  const results =
    only === undefined ? runGroupsApart() : await (GROUPS[only] as () => Promise<BenchResult[]>)();
  const written = await writeBenchReport(results, 'bench-results');
  console.log(await readFile(written.markdown, 'utf8'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
