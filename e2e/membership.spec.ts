import { expect, test, type Page } from '@playwright/test';
import type { MemberStatus } from '../src/host/meshSnapshot';
import { allAlive, openSettledMesh, shoot, waitForMembers, waitForOpenLinks } from './mesh';

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
  test('partition 3|2 from one dashboard: each side sees the split and its quorum; heal merges the views', async ({
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
      const operator = tabs[0]!.page;
      await operator.getByTestId('chaos-partition-mode').check();
      // Partition mode starts everyone in group 0; a click moves an agent to the next group.
      for (const tab of sideB)
        await operator.locator(`[data-testid="topology-node"][data-agent-id="${tab.id}"]`).click();
      for (const tab of sideB) {
        await expect(
          operator.locator(`[data-testid="topology-node"][data-agent-id="${tab.id}"]`),
        ).toHaveAttribute('data-group', '1');
      }
      await operator.getByTestId('chaos-cut').click();

      for (const tab of sideA) {
        await expect(tab.page.getByTestId('quorum')).toHaveAttribute('data-has-quorum', 'true', {
          timeout: 30_000,
        });
        await expect(tab.page.getByTestId('partition-state')).toBeVisible();
      }
      for (const tab of sideB) {
        await expect(tab.page.getByTestId('quorum')).toHaveAttribute('data-has-quorum', 'false', {
          timeout: 30_000,
        });
        await expect(tab.page.getByTestId('quorum')).toHaveAttribute('data-reachable', '2');
        await expect(tab.page.getByTestId('quorum')).toHaveAttribute('data-membership', '5');
      }
      await shoot(sideA[0]!.page, 'partition-majority-side', testInfo);
      await shoot(sideB[0]!.page, 'partition-minority-side', testInfo);

      await operator.getByTestId('chaos-heal').click();
      for (const tab of tabs)
        await waitForOpenLinks(
          tab.page,
          tabs.filter((t) => t !== tab).map((t) => t.id),
        );
      for (const tab of tabs) await waitForMembers(tab.page, allAlive(tabs));
      for (const tab of tabs) {
        await expect(tab.page.getByTestId('quorum')).toHaveAttribute('data-has-quorum', 'true');
        await expect(tab.page.getByTestId('partition-state')).toHaveCount(0);
      }
      await shoot(sideB[0]!.page, 'healed', testInfo);
    } finally {
      await Promise.all(browsers.map((browser) => browser.close()));
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
      await Promise.all(browsers.map((browser) => browser.close()));
    }
  });
});
