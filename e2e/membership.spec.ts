import { expect, test, type Page } from '@playwright/test';
import type { MemberStatus } from '../src/host/meshSnapshot';
import {
  allAlive,
  closeAll,
  expectQuorum,
  healFromDashboard,
  openSettledMesh,
  partitionFromDashboard,
  shoot,
  waitForHealed,
  waitForMembers,
} from './mesh';

/** Resolves when this tab's timeline has recorded `kind` for `peer`. */
async function waitForVerdict(
  page: Page,
  kind: string,
  peer: string,
  timeoutMs = 30_000,
): Promise<void> {
  await page
    .locator(`[data-testid="timeline-row"][data-kind="${kind}"][data-peer="${peer}"]`)
    .first()
    .waitFor({ state: 'attached', timeout: timeoutMs });
}

test.describe('membership across five agents in four browser instances', () => {
  test('partition 3|2 from one dashboard: each side sees the split and its quorum; every agent acks; heal merges the views', async ({
    playwright,
    browserName,
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openSettledMesh(
      playwright[browserName],
      testInfo,
      baseURL as string,
      'partition',
    );
    try {
      const sideA = tabs.slice(0, 3);
      const sideB = tabs.slice(3);
      const operator = tabs[0]!;
      await partitionFromDashboard(operator, [sideA, sideB]);
      for (const tab of sideA) {
        await expectQuorum(tab, { hasQuorum: true });
        await expect(tab.page.getByTestId('partition-state')).toBeVisible();
      }
      for (const tab of sideB)
        await expectQuorum(tab, { hasQuorum: false, reachable: 2, membership: 5 });
      // The operator's Chaos panel names every agent that applied the cut.
      await expect(operator.page.getByTestId('chaos-applied')).toHaveCount(5);
      await shoot(sideA[0]!.page, 'partition-majority-side', testInfo);
      await shoot(sideB[0]!.page, 'partition-minority-side', testInfo);

      await healFromDashboard(operator);
      await waitForHealed(tabs);
      for (const tab of tabs) await expectQuorum(tab, { hasQuorum: true, reachable: 5 });
      await shoot(sideB[0]!.page, 'healed', testInfo);
    } finally {
      await closeAll(browsers);
    }
  });

  test('a frozen agent goes suspect, then dead, then alive again when it returns and refutes; a closed tab is seen leaving', async ({
    playwright,
    browserName,
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openSettledMesh(
      playwright[browserName],
      testInfo,
      baseURL as string,
      'freeze',
    );
    try {
      const frozen = tabs[2]!;
      const watcher = tabs[0]!.page;
      await watcher.getByTestId('chaos-freeze-agent').selectOption(frozen.id);
      await watcher.getByTestId('chaos-freeze-seconds').fill('15');
      await watcher.getByTestId('chaos-freeze').click();

      await waitForVerdict(watcher, 'member-suspect', frozen.id);
      await shoot(watcher, 'frozen-suspect', testInfo);
      await waitForVerdict(watcher, 'member-dead', frozen.id);
      await shoot(watcher, 'frozen-dead', testInfo);
      // After 15 s the page runs again, learns it was declared dead and refutes.
      for (const tab of tabs) await waitForMembers(tab.page, allAlive(tabs), 45_000);
      await shoot(watcher, 'frozen-returned', testInfo);

      const closing = tabs[4]!;
      await closing.page.close({ runBeforeUnload: true });
      const rest = tabs.slice(0, 4);
      const expected = { ...allAlive(rest), [closing.id]: 'left' as MemberStatus };
      for (const tab of rest) await waitForMembers(tab.page, expected, 15_000);
      await shoot(watcher, 'tab-closed', testInfo);
    } finally {
      await closeAll(browsers);
    }
  });
});
