import type { TestOutcome } from './playwrightReport';

/** One run of the whole suite. */
export interface SoakRun {
  index: number;
  /** Busy processes running beside the suite during this run. */
  loadProcesses: number;
  exitCode: number;
  wallMs: number;
  outcomes: TestOutcome[];
  /** Set when the run produced no report (crashed, or the command is not Playwright). */
  reportError: string | null;
}

export interface TestRow {
  title: string;
  passed: number;
  runs: number;
  slowestMs: number;
}

/** Per test: in how many runs it passed, and its slowest run (the distance to its timeout). */
export function testRows(runs: readonly SoakRun[]): TestRow[] {
  const rows = new Map<string, TestRow>();
  for (const run of runs) {
    for (const outcome of run.outcomes) {
      const key = outcome.project === '' ? outcome.title : `[${outcome.project}] ${outcome.title}`;
      const row = rows.get(key) ?? { title: key, passed: 0, runs: 0, slowestMs: 0 };
      row.runs++;
      if (outcome.status === 'expected') row.passed++;
      row.slowestMs = Math.max(row.slowestMs, outcome.durationMs);
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.title.localeCompare(b.title));
}

/** A run passed when its command succeeded and no test in it failed or flaked. */
export function runPassed(run: SoakRun): boolean {
  return (
    run.exitCode === 0 &&
    run.reportError === null &&
    run.outcomes.every((o) => o.status === 'expected' || o.status === 'skipped')
  );
}

/** The longest streak of consecutive passing runs. */
export function longestPassingStreak(runs: readonly SoakRun[]): number {
  let best = 0;
  let current = 0;
  for (const run of runs) {
    current = runPassed(run) ? current + 1 : 0;
    best = Math.max(best, current);
  }
  return best;
}

const ERROR_LINES_SHOWN = 30;

/** The report printed at the end: a table of pass rates, then the first failure in full. */
export function formatSoakSummary(runs: readonly SoakRun[]): string {
  const lines: string[] = [];
  const passedRuns = runs.filter(runPassed).length;
  lines.push(
    `soak: ${passedRuns} of ${runs.length} runs passed; longest streak ${longestPassingStreak(runs)}`,
  );
  for (const run of runs) {
    const failed = run.outcomes.filter((o) => o.status === 'unexpected' || o.status === 'flaky');
    const load = run.loadProcesses > 0 ? `, ${run.loadProcesses} busy processes beside it` : '';
    const verdict = runPassed(run) ? 'passed' : `FAILED (exit ${run.exitCode})`;
    lines.push(
      `  run ${run.index}: ${verdict}, ${(run.wallMs / 1000).toFixed(1)} s${load}` +
        (failed.length > 0 ? `; failed: ${failed.map((o) => o.title).join('; ')}` : '') +
        (run.reportError !== null ? `; ${run.reportError}` : ''),
    );
  }
  const rows = testRows(runs);
  if (rows.length > 0) {
    lines.push('', 'pass rate  slowest   test');
    for (const row of rows) {
      const rate = `${row.passed}/${row.runs}`.padEnd(9);
      const slowest = `${(row.slowestMs / 1000).toFixed(1)} s`.padEnd(9);
      lines.push(`${rate}  ${slowest} ${row.title}`);
    }
  }
  const first = firstFailure(runs);
  if (first !== null) {
    const { run, outcome } = first;
    lines.push('', `first failure: run ${run.index}: ${outcome.title}`);
    const error = (outcome.error ?? '(no error message)').split('\n');
    lines.push(...error.slice(0, ERROR_LINES_SHOWN).map((line) => `    ${line}`));
    if (error.length > ERROR_LINES_SHOWN)
      lines.push(`    ... ${error.length - ERROR_LINES_SHOWN} more lines`);
    for (const attachment of outcome.attachments) {
      lines.push(`  attachment ${attachment.name}: ${attachment.path}`);
    }
  }
  return lines.join('\n');
}

function firstFailure(runs: readonly SoakRun[]): { run: SoakRun; outcome: TestOutcome } | null {
  for (const run of runs) {
    const outcome = run.outcomes.find((o) => o.status === 'unexpected' || o.status === 'flaky');
    if (outcome !== undefined) return { run, outcome };
  }
  return null;
}
