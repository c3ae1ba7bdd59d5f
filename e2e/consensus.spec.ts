import { expect, test } from '@playwright/test';
import {
  closeKillable,
  expectLogsMatch,
  openConsensusMesh,
  propose,
  shootConsensus,
  statusOf,
} from './consensus';

test.describe('pBFT across four agents in four browser instances', () => {
  test('actions proposed from several tabs commit in one order everywhere; agreed memory commits first', async ({
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      `pbft-normal-${Date.now()}`,
      [1, 1, 1, 1],
    );
    try {
      const status = await statusOf(tabs[0]!.page);
      expect(status).toMatchObject({ n: 4, f: 1, quorum: 3, view: 0 });
      expect([...status.replicas].sort()).toEqual(tabs.map((tab) => tab.id).sort());
      // Three proposals from each of three tabs at once.
      const outcomes = await Promise.all(
        tabs.slice(0, 3).flatMap((tab) => [1, 2, 3].map((by) => propose(tab.page, by))),
      );
      for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: true });
      await expectLogsMatch(tabs, 9);
      // The demo counter is the replicated state: every replica holds the same sum.
      const last = await tabs[3]!.page.evaluate(() =>
        window.mesh?.critical.propose({ kind: 'demo.increment', by: 0 }),
      );
      expect(last?.result).toEqual({ value: 18 });

      const stored = await tabs[1]!.page.evaluate(async () => {
        const entry = await window.mesh?.memory.store('critical', 'leader-note', { v: 1 });
        return entry?.value;
      });
      expect(stored).toEqual({ v: 1 });
      for (const tab of tabs) {
        await expect
          .poll(() =>
            tab.page.evaluate(() => window.mesh?.memory.retrieve('critical', 'leader-note')?.value),
          )
          .toEqual({ v: 1 });
      }
      const invalid = await tabs[0]!.page.evaluate(() =>
        window.mesh?.critical
          .propose({ kind: 'no-such-kind' })
          .catch((e: { code?: string }) => e.code),
      );
      expect(invalid).toBe('invalid');
      await shootConsensus(tabs[0]!.page, 'consensus-normal-case', testInfo);
      await expect(tabs[0]!.page.getByTestId('consensus-status')).toContainText('n=4 f=1 quorum=3');
    } finally {
      await closeKillable(browsers);
    }
  });
});
