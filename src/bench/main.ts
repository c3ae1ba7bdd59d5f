import { runBrowserBench } from './browserBench';
import { readFile } from 'node:fs/promises';
import { writeBenchReport, type BenchResult } from './report';
import { runSimBench } from './simBench';
import { runSwimBench } from './swimBench';

/**
 * `npm run bench`: the simulator benches, the membership (SWIM) benches in the simulator, then
 * the browser benches (which start the server and Chromium themselves). `--only sim`,
 * `--only swim` or `--only browser` runs one group.
 */
async function main(): Promise<void> {
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
  if (only !== undefined && only !== 'sim' && only !== 'swim' && only !== 'browser') {
    throw new Error('--only takes sim, swim or browser');
  }
  const results: BenchResult[] = [];
  if (only === undefined || only === 'sim') results.push(...(await runSimBench()));
  if (only === undefined || only === 'swim') results.push(...(await runSwimBench()));
  if (only === undefined || only === 'browser') results.push(...(await runBrowserBench()));
  const written = await writeBenchReport(results, 'bench-results');
  console.log(await readFile(written.markdown, 'utf8'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
