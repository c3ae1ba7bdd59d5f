/** One test's outcome in one run of the suite, read from Playwright's JSON report. */
export interface TestOutcome {
  /** `file › describe › title`, stable across runs. */
  title: string;
  project: string;
  /** Playwright's verdict: expected (passed), unexpected (failed), flaky, skipped. */
  status: 'expected' | 'unexpected' | 'flaky' | 'skipped';
  durationMs: number;
  /** The first error's message, without colour codes, when the test failed. */
  error: string | null;
  attachments: { name: string; path: string }[];
}

interface JsonResult {
  duration?: number;
  errors?: { message?: string }[];
  error?: { message?: string };
  attachments?: { name?: string; path?: string }[];
}

interface JsonTest {
  projectName?: string;
  status?: TestOutcome['status'];
  results?: JsonResult[];
}

interface JsonSpec {
  title?: string;
  file?: string;
  tests?: JsonTest[];
}

interface JsonSuite {
  title?: string;
  file?: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Flattens a Playwright JSON report into one outcome per test and project. Throws with a clear
 * message when the text is not such a report (a run that crashed before reporting).
 */
export function parsePlaywrightReport(text: string): TestOutcome[] {
  let report: { suites?: JsonSuite[] };
  try {
    report = JSON.parse(text) as { suites?: JsonSuite[] };
  } catch (error) {
    throw new Error(`not a Playwright JSON report: ${String(error)}`);
  }
  if (!Array.isArray(report.suites)) throw new Error('not a Playwright JSON report: no suites');
  const outcomes: TestOutcome[] = [];
  const walk = (suite: JsonSuite, path: string[]) => {
    // The file's own suite is titled with the file name; describe blocks add their titles.
    const here = suite.title === undefined || suite.title === '' ? path : [...path, suite.title];
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const results = test.results ?? [];
        const last = results[results.length - 1];
        const message = last?.errors?.[0]?.message ?? last?.error?.message ?? null;
        outcomes.push({
          title: [...here, spec.title ?? '(untitled)'].join(' › '),
          project: test.projectName ?? '',
          status: test.status ?? 'unexpected',
          durationMs: results.reduce((sum, result) => sum + (result.duration ?? 0), 0),
          error: message === null ? null : message.replace(ANSI, ''),
          attachments: results.flatMap((result) =>
            (result.attachments ?? []).flatMap((attachment) =>
              attachment.path === undefined
                ? []
                : [{ name: attachment.name ?? 'attachment', path: attachment.path }],
            ),
          ),
        });
      }
    }
    for (const child of suite.suites ?? []) walk(child, here);
  };
  for (const suite of report.suites) walk(suite, []);
  return outcomes;
}
