import type { Page } from '@playwright/test';
import type { AgentWindow } from './browserAgentTabs';

/**
 * A tab committing one operation after another until told to stop (a pBFT `demo.increment`, or
 * a ledger append), recording each commit's page time and its epoch (the pBFT view, the Raft
 * term): the fault benches time from a fault to the first commit of a later epoch.
 */

export type RecordedOperation = 'critical.propose' | 'ledger.append';

export interface Commit {
  atMs: number;
  epoch: number;
}

interface Recorder {
  commits: Commit[];
  failures: Record<string, number>;
  stop: boolean;
}

type RecorderWindow = AgentWindow & { commitRecorder?: Recorder };

/** Runs in the page. */
function startCommitting(operation: RecordedOperation): void {
  const mesh = (window as RecorderWindow).mesh;
  if (mesh === undefined) throw new Error('window.mesh is not there');
  const record: Recorder = { commits: [], failures: {}, stop: false };
  (window as RecorderWindow).commitRecorder = record;
  void (async () => {
    while (!record.stop) {
      try {
        const epoch =
          operation === 'ledger.append'
            ? (await mesh.ledger.append({ bench: 'failover' })).term
            : (await mesh.critical.propose({ kind: 'demo.increment', by: 1 })).view;
        record.commits.push({ atMs: performance.timeOrigin + performance.now(), epoch });
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? 'error');
        record.failures[code] = (record.failures[code] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  })();
}

export async function startRecording(page: Page, operation: RecordedOperation): Promise<void> {
  await page.evaluate(startCommitting, operation);
}

/** Whether `count` commits came within `timeoutMs`. */
export async function waitCommits(page: Page, count: number, timeoutMs: number): Promise<boolean> {
  return page
    .waitForFunction(
      (least) => ((window as RecorderWindow).commitRecorder?.commits.length ?? 0) >= least,
      count,
      { polling: 20, timeout: timeoutMs },
    )
    .then(
      () => true,
      () => false,
    );
}

/** The first commit of an epoch above `epoch` at or after page time `afterMs`, or null. */
export async function waitCommitAbove(
  page: Page,
  epoch: number,
  afterMs: number,
  timeoutMs: number,
): Promise<Commit | null> {
  const handle = await page
    .waitForFunction(
      ([above, after]) =>
        (window as RecorderWindow).commitRecorder?.commits.find(
          (commit) => commit.epoch > above && commit.atMs >= after,
        ) ?? false,
      [epoch, afterMs] as const,
      // The commit's time is recorded by the page, so the poll's period costs no precision.
      { polling: 50, timeout: timeoutMs },
    )
    .catch(() => null);
  return handle === null ? null : ((await handle.jsonValue()) as Commit);
}

/** Stops the tab and returns its failed operations by code ({} when the page is gone). */
export async function stopRecording(page: Page): Promise<Record<string, number>> {
  return page
    .evaluate(() => {
      const record = (window as RecorderWindow).commitRecorder;
      if (record === undefined) return {};
      record.stop = true;
      return record.failures;
    })
    .catch(() => ({}));
}
