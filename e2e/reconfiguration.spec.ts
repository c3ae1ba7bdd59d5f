import { expect, test, type Page } from '@playwright/test';
import {
  closeKillable,
  expectLogsMatch,
  openConsensusMesh,
  openConsensusTab,
  propose,
  shootConsensus,
  statusOf,
} from './consensus';
import { waitForAgreedMembership, waitForFullMesh } from './mesh';

/** Short waits so the test sees a change within seconds (defaults: 3 s to add, 10 s to remove). */
const QUICK = '&addAfterMs=1000&removeAfterMs=3000';
/**
 * Tabs whose dashboard is not photographed run without it: five dashboards drawing at once
 * on two cores slow every commit to seconds.
 */
const HEADLESS = `${QUICK}&ui=0`;

async function roleOf(page: Page): Promise<string | undefined> {
  return page.evaluate(() => window.mesh?.snapshot().consensus?.role);
}

/** Resolves when every page follows epoch `epoch` with exactly `replicas`. */
async function waitForConfiguration(pages: Page[], epoch: number, replicas: string[]) {
  const wanted = [...replicas].sort().join();
  for (const page of pages) {
    await expect
      .poll(
        async () => {
          const status = await statusOf(page);
          return `${status.epoch} ${[...status.replicas].sort().join()}`;
        },
        { timeout: 45_000, intervals: [250] },
      )
      .toBe(`${epoch} ${wanted}`);
  }
}

test.describe('pBFT reconfiguration between tabs', () => {
  test('a tab opened later is voted in and joins by state transfer; a closed tab is voted out', async ({
    baseURL,
  }, testInfo) => {
    // Two changes, each after the membership settles: longer than one view change's test.
    test.setTimeout(180_000);
    const room = `pbft-reconfig-${Date.now()}`;
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      room,
      [2, 1, 1],
      (index) => (index === 0 ? QUICK : HEADLESS),
    );
    try {
      for (const tab of tabs) expect(await propose(tab.page)).toMatchObject({ ok: true });
      await expectLogsMatch(tabs, 4);

      // A fifth tab: a client first, then the replicas vote it in (f + 1 = 2 votes) and it
      // takes the state from f + 1 of them before it votes itself.
      const context = browsers[1]!.browser.contexts()[0]!;
      const late = await openConsensusTab(context, baseURL as string, room, QUICK);
      const five = [...tabs, late];
      await waitForFullMesh(five);
      for (const tab of five) await waitForAgreedMembership(tab.page, 5);
      await waitForConfiguration(
        five.map((tab) => tab.page),
        1,
        five.map((tab) => tab.id),
      );
      await expect.poll(() => roleOf(late.page), { timeout: 30_000 }).toBe('replica');
      expect(await statusOf(late.page)).toMatchObject({ n: 5, f: 1, quorum: 4 });
      const joined = await propose(late.page, 5);
      expect(joined).toMatchObject({ ok: true });
      await expectLogsMatch(five, 7);
      await shootConsensus(late.page, 'consensus-joined', testInfo);

      // Close one of the first tabs: it leaves (a signed leave), and once it has been gone for
      // the wait the others vote it out; n is back to 4 and proposals go on committing.
      const leaving = tabs[3]!;
      await leaving.page.close();
      const staying = five.filter((tab) => tab !== leaving);
      await waitForConfiguration(
        staying.map((tab) => tab.page),
        2,
        staying.map((tab) => tab.id),
      );
      for (const tab of staying) {
        expect(await statusOf(tab.page)).toMatchObject({ n: 4, f: 1, quorum: 3 });
      }
      for (const tab of staying) expect(await propose(tab.page)).toMatchObject({ ok: true });
      await expectLogsMatch(staying, 11);
      const log = await staying[0]!.page.evaluate(() => window.mesh?.critical.log({ limit: 1000 }));
      const changes = (log ?? []).filter((entry) => entry.kind === 'replicas.change');
      expect(changes.length).toBeGreaterThanOrEqual(4);
      await shootConsensus(staying[0]!.page, 'consensus-left-voted-out', testInfo);
    } finally {
      await closeKillable(browsers);
    }
  });
});
