import { describe, expect, it } from 'vitest';
import { parsePlaywrightReport } from './playwrightReport';
import { formatSoakSummary, longestPassingStreak, testRows, type SoakRun } from './soakSummary';

/** The shape Playwright's JSON reporter writes: file suites, describe suites, specs, tests. */
function report(status: 'expected' | 'unexpected', durationMs: number): string {
  return JSON.stringify({
    suites: [
      {
        title: 'membership.spec.ts',
        file: 'membership.spec.ts',
        specs: [],
        suites: [
          {
            title: 'membership',
            specs: [
              {
                title: 'partition 3|2',
                tests: [
                  {
                    projectName: 'chromium',
                    status,
                    results: [
                      {
                        duration: durationMs,
                        errors:
                          status === 'unexpected'
                            ? [{ message: '\u001b[31mTimeout 120000ms exceeded\u001b[39m' }]
                            : [],
                        attachments: [
                          { name: 'screenshot', path: '/tmp/run/shot.png' },
                          { name: 'inline', body: 'x' },
                        ],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

function soakRun(index: number, status: 'expected' | 'unexpected', durationMs = 20_000): SoakRun {
  return {
    index,
    loadProcesses: index === 1 ? 4 : 0,
    exitCode: status === 'expected' ? 0 : 1,
    wallMs: 60_000,
    outcomes: parsePlaywrightReport(report(status, durationMs)),
    reportError: null,
  };
}

describe('soak report', () => {
  it('flattens nested suites into titled outcomes with plain error text and file attachments', () => {
    const [outcome] = parsePlaywrightReport(report('unexpected', 1234));
    expect(outcome).toEqual({
      title: 'membership.spec.ts › membership › partition 3|2',
      project: 'chromium',
      status: 'unexpected',
      durationMs: 1234,
      error: 'Timeout 120000ms exceeded',
      attachments: [{ name: 'screenshot', path: '/tmp/run/shot.png' }],
    });
  });

  it('refuses text that is not a report, saying so', () => {
    expect(() => parsePlaywrightReport('Error: browser crashed')).toThrow(/not a Playwright JSON/);
    expect(() => parsePlaywrightReport('{}')).toThrow(/no suites/);
  });

  it('counts pass rates, the slowest run and the longest streak, and shows the first failure', () => {
    const runs = [
      soakRun(1, 'expected', 30_000),
      soakRun(2, 'unexpected'),
      soakRun(3, 'expected'),
      soakRun(4, 'expected'),
    ];
    expect(testRows(runs)).toEqual([
      {
        title: '[chromium] membership.spec.ts › membership › partition 3|2',
        passed: 3,
        runs: 4,
        slowestMs: 30_000,
      },
    ]);
    expect(longestPassingStreak(runs)).toBe(2);
    const text = formatSoakSummary(runs);
    expect(text).toContain('soak: 3 of 4 runs passed; longest streak 2');
    expect(text).toContain('run 1: passed, 60.0 s, 4 busy processes beside it');
    expect(text).toContain('run 2: FAILED (exit 1)');
    expect(text).toContain('first failure: run 2: membership.spec.ts › membership › partition 3|2');
    expect(text).toContain('Timeout 120000ms exceeded');
    expect(text).toContain('attachment screenshot: /tmp/run/shot.png');
  });

  it('fails a run whose command failed even when every reported test passed', () => {
    const run = { ...soakRun(1, 'expected'), exitCode: 1 };
    expect(longestPassingStreak([run])).toBe(0);
  });
});
