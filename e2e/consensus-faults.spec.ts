import { expect, test } from '@playwright/test';
import { healByApi, partitionByApi, waitForHealed } from './mesh';
import {
  closeKillable,
  expectLogsMatch,
  flaggedBy,
  logOf,
  openConsensusMesh,
  propose,
  shootConsensus,
  statusOf,
  waitForReplicas,
  waitForViewAbove,
} from './consensus';

test.describe('pBFT under faults, four agents in four browser instances', () => {
  test('an equivocating primary switched on from the dashboard is replaced and flagged; actions still commit', async ({
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      `pbft-byzantine-${Date.now()}`,
      [1, 1, 1, 1],
    );
    try {
      expect(await propose(tabs[0]!.page)).toMatchObject({ ok: true });
      const { primary } = await statusOf(tabs[0]!.page);
      const byzantine = tabs.find((tab) => tab.id === primary)!;
      const honest = tabs.filter((tab) => tab !== byzantine);
      const operator = honest[0]!;
      await operator.page
        .getByTestId(`behaviour-select-${byzantine.id}`)
        .selectOption('equivocate');
      await expect.poll(() => statusOf(byzantine.page).then((s) => s.behaviour)).toBe('equivocate');
      // Proposals from honest tabs commit, in a later view, with the liar proven and replaced.
      const outcomes = await Promise.all(honest.map((tab) => propose(tab.page)));
      for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: true });
      for (const tab of honest) {
        await waitForViewAbove(tab.page, 0);
        await expect.poll(() => flaggedBy(tab.page)).toContain(byzantine.id);
      }
      expect((await statusOf(operator.page)).primary).not.toBe(byzantine.id);
      await expectLogsMatch(honest, 4);
      await operator.page.getByTestId('tab-consensus').click();
      await expect(
        operator.page.locator(
          `[data-testid="consensus-flagged-row"][data-agent="${byzantine.id}"]`,
        ),
      ).toBeVisible();
      await expect(
        operator.page.locator(`[data-testid="topology-node"][data-agent-id="${byzantine.id}"]`),
      ).toHaveAttribute('data-flagged', 'true');
      await shootConsensus(operator.page, 'consensus-equivocating-primary-flagged', testInfo);
    } finally {
      await closeKillable(browsers);
    }
  });

  test('partition 2|2 commits nothing and rejects no-quorum on both sides; heal resumes; a reloaded replica catches up; a crashed primary is replaced', async ({
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      `pbft-faults-${Date.now()}`,
      [1, 1, 1, 1],
    );
    try {
      for (const tab of tabs) expect(await propose(tab.page)).toMatchObject({ ok: true });
      await expectLogsMatch(tabs, 4);
      const executedBefore = (await statusOf(tabs[0]!.page)).lastExecutedSeq;

      await partitionByApi(tabs[0]!.page, [tabs.slice(0, 2), tabs.slice(2)]);
      const split = await Promise.all(tabs.map((tab) => propose(tab.page)));
      for (const outcome of split) expect(outcome).toEqual({ ok: false, code: 'no-quorum' });
      for (const tab of tabs) {
        expect((await statusOf(tab.page)).lastExecutedSeq).toBe(executedBefore);
      }
      await shootConsensus(tabs[0]!.page, 'consensus-partitioned-no-quorum', testInfo);

      await healByApi(tabs[0]!.page);
      await waitForHealed(tabs);
      expect(await propose(tabs[2]!.page)).toMatchObject({ ok: true });
      await expectLogsMatch(tabs, 5);
      await shootConsensus(tabs[2]!.page, 'consensus-healed', testInfo);

      // Reload a replica that is not the primary while the others go on committing.
      const { primary } = await statusOf(tabs[0]!.page);
      const reloaded = tabs.find((tab) => tab.id !== primary)!;
      const others = tabs.filter((tab) => tab !== reloaded);
      await reloaded.page.reload();
      for (const tab of others) expect(await propose(tab.page)).toMatchObject({ ok: true });
      await reloaded.page.waitForFunction(() => window.mesh !== undefined, undefined, {
        timeout: 30_000,
      });
      await waitForReplicas(reloaded.page, 4);
      // The outcome in the message: a refusal names its code.
      const afterReload = await propose(reloaded.page);
      expect(afterReload, JSON.stringify(afterReload)).toMatchObject({ ok: true });
      await expectLogsMatch(tabs, 9);
      await shootConsensus(reloaded.page, 'consensus-reloaded-caught-up', testInfo);

      // Crash the primary's browser: its process is killed, it says nothing. The primary is
      // read again now, once every tab agrees on the view: the reload may have been followed by
      // a view change still settling, and the tab to kill is the primary all of them follow.
      await expect
        .poll(async () => {
          const views = await Promise.all(tabs.map((tab) => statusOf(tab.page)));
          return new Set(views.map((status) => `${status.view}/${status.primary}`)).size;
        })
        .toBe(1);
      const now = await Promise.all(tabs.map((tab) => statusOf(tab.page)));
      const viewBefore = Math.max(...now.map((status) => status.view));
      const current = now.find((status) => status.view === viewBefore)!.primary;
      const crashed = browsers[tabs.findIndex((tab) => tab.id === current)]!;
      const survivors = tabs.filter((tab) => tab.id !== current);
      await crashed.server.kill();
      // Every survivor's proposal commits, in a view after the crash.
      for (const tab of survivors) {
        const outcome = await propose(tab.page);
        expect(
          outcome,
          `after the crash, from ${tab.id}: ${JSON.stringify(outcome)}`,
        ).toMatchObject({ ok: true });
        if (outcome.ok) expect(outcome.view).toBeGreaterThan(viewBefore);
      }
      for (const tab of survivors) await waitForViewAbove(tab.page, viewBefore);
      const logs = await Promise.all(survivors.map((tab) => logOf(tab.page)));
      expect(logs.every((log) => log.length >= 12)).toBe(true);
      await expectLogsMatch(survivors, 12);
      await shootConsensus(survivors[0]!.page, 'consensus-primary-crashed', testInfo);
    } finally {
      await closeKillable(browsers);
    }
  });
});
