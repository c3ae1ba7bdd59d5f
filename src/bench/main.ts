import { readFile } from 'node:fs/promises';
import { runBrowserBench } from './browserBench';
import { runBrowserDocBench } from './browserDocBench';
import { runMemoryBench } from './memoryBench';
import { writeBenchReport, type BenchResult } from './report';
import { runSimBench } from './simBench';
import { runSwimBench } from './swimBench';

/** The bench groups in the order `npm run bench` runs them; `--only <name>` runs one. */
const GROUPS: Record<string, () => Promise<BenchResult[]>> = {
  sim: runSimBench,
  swim: runSwimBench,
  memory: runMemoryBench,
  browser: runBrowserBench,
  doc: runBrowserDocBench,
};

/**
 * `npm run bench`: the simulator benches, the membership (SWIM) benches in the simulator, the
 * memory store, then the browser benches (which start the server and Chromium themselves).
 */
async function main(): Promise<void> {
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
  if (only !== undefined && !(only in GROUPS)) {
    throw new Error(`--only takes one of ${Object.keys(GROUPS).join(', ')}`);
  }
  const results: BenchResult[] = [];
  for (const [name, run] of Object.entries(GROUPS)) {
    if (only === undefined || only === name) results.push(...(await run()));
  }
  const written = await writeBenchReport(results, 'bench-results');
  console.log(await readFile(written.markdown, 'utf8'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
