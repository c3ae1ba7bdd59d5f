import type { Page } from '@playwright/test';
import type { JobStatus } from '../src/core/tasks/taskTypes';
import type { FractalTileInput } from '../src/core/tasks/kinds/fractalTile';

/** The task steps the tasks spec shares (`mesh.tasks` driven through `page.evaluate`). */

/** The demo image's tiles: `columns` x `rows` tiles of `size` px. */
export function demoTiles(
  columns: number,
  rows: number,
  size: number,
  maxIter: number,
): FractalTileInput[] {
  const tiles: FractalTileInput[] = [];
  for (let row = 0; row < rows; row++)
    for (let column = 0; column < columns; column++)
      tiles.push({
        x: column * size,
        y: row * size,
        size,
        width: columns * size,
        height: rows * size,
        maxIter,
      });
  return tiles;
}

/**
 * Submits a job from `page`, recording every result accepted for it as it lands (in
 * `window.acceptedForTest`); resolves with the job id.
 */
export async function submitRecorded(
  page: Page,
  job: {
    kind: string;
    inputs: unknown[];
    strategy?: 'steal' | 'hash' | 'auction';
    costMs?: number;
    critical?: boolean;
  },
): Promise<string> {
  return page.evaluate((request) => {
    const mesh = window.mesh;
    if (mesh === undefined) throw new Error('mesh not started');
    const box = window as unknown as {
      acceptedForTest: { jobId: string; task: number; owner: string; result: unknown }[];
      outcomeForTest: Record<
        string,
        { ok: true; results: unknown[] } | { ok: false; code: string; message: string }
      >;
    };
    if (box.acceptedForTest === undefined) {
      box.acceptedForTest = [];
      box.outcomeForTest = {};
      mesh.tasks.onAccepted((accepted) => box.acceptedForTest.push(accepted));
    }
    const { jobId, done } = mesh.tasks.submit(request);
    done.then(
      (results) => (box.outcomeForTest[jobId] = { ok: true, results }),
      (error: { code: string; message: string }) =>
        (box.outcomeForTest[jobId] = { ok: false, code: error.code, message: error.message }),
    );
    return jobId;
  }, job);
}

/** Results accepted so far for `jobId` on `page` (in the order they landed). */
export async function acceptedFor(
  page: Page,
  jobId: string,
): Promise<{ task: number; owner: string; result: unknown }[]> {
  return page.evaluate((id) => {
    const box = window as unknown as {
      acceptedForTest?: { jobId: string; task: number; owner: string; result: unknown }[];
    };
    return (box.acceptedForTest ?? []).filter((a) => a.jobId === id);
  }, jobId);
}

/** Waits for the job's outcome on `page` and returns it. */
export async function outcomeOf(
  page: Page,
  jobId: string,
  timeoutMs = 120_000,
): Promise<{ ok: true; results: unknown[] } | { ok: false; code: string; message: string }> {
  const handle = await page.waitForFunction(
    (id) =>
      (window as unknown as { outcomeForTest?: Record<string, unknown> }).outcomeForTest?.[id],
    jobId,
    { timeout: timeoutMs, polling: 100 },
  );
  return (await handle.jsonValue()) as never;
}

export async function jobStatus(page: Page, jobId: string): Promise<JobStatus | null> {
  return page.evaluate((id) => window.mesh?.tasks.status(id) ?? null, jobId);
}

/** Waits until `count` results of `jobId` were accepted on `page`. */
export async function waitForAccepted(page: Page, jobId: string, count: number): Promise<void> {
  await page.waitForFunction(
    ({ id, n }) =>
      (
        (window as unknown as { acceptedForTest?: { jobId: string }[] }).acceptedForTest ?? []
      ).filter((a) => a.jobId === id).length >= n,
    { id: jobId, n: count },
    { timeout: 60_000, polling: 50 },
  );
}

/** Resolves once this tab's Raft group has at least three voters and a leader (the task table lives there). */
export async function waitForLedger(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const status = window.mesh?.ledger.status();
      return status !== undefined && status.voters.length >= 3 && status.leader !== null;
    },
    undefined,
    { timeout: timeoutMs, polling: 100 },
  );
}
