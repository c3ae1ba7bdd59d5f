import { expect, test, type TestInfo } from '@playwright/test';
import { checkKvHistory } from '../src/sim/linearizability';
import { closeKillable, openConsensusMesh } from './consensus';
import {
  agreedLeader,
  appendFrom,
  expectLedgersMatch,
  KvRecorder,
  ledgerLog,
  ledgerStatus,
  ledgerView,
  moveLeadership,
  expectDashboardsShowLeader,
  transferFromDashboard,
  raftDiagnostics,
  waitForVoters,
} from './ledger';
import { expectQuorumByApi, healByApi, shoot, waitForHealedByApi, type MeshTab } from './mesh';
import { phaseLog } from './phases';

/** Every tab of `tabs` appends once; each must commit. */
async function appendFromEvery(tabs: MeshTab[], label: string): Promise<number> {
  const outcomes = await Promise.all(tabs.map((tab, i) => appendFrom(tab.page, `${label}-${i}`)));
  if (!outcomes.every((outcome) => outcome.ok)) {
    const why = `${JSON.stringify(outcomes)}\n${await raftDiagnostics(tabs)}`;
    expect(
      outcomes.filter((o) => !o.ok),
      why,
    ).toEqual([]);
  }
  return Math.max(...outcomes.map((o) => (o.ok ? o.value.term : 0)));
}

function expectLinearizable(recorder: KvRecorder, testInfo: TestInfo): void {
  testInfo.annotations.push({
    type: 'history',
    description: `${recorder.count('ok')} returned, ${recorder.count('unknown')} unknown, failures ${JSON.stringify(Object.fromEntries(recorder.codes))}`,
  });
  const verdict = checkKvHistory(recorder.history);
  expect(verdict, JSON.stringify(verdict)).toEqual({ ok: true });
  // The history is one worth checking: most operations returned.
  expect(recorder.count('ok')).toBeGreaterThan(recorder.history.length / 2);
}

test.describe('Raft ledger across five agents', () => {
  test('a leader is elected and every tab commits; closing the leader tab and crashing the leader browser each elect a new one; the put/get/cas history is linearizable', async ({
    baseURL,
  }, testInfo) => {
    // Four browser instances: the three alone in theirs can be crashed one at a time.
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      `raft-failover-${Date.now()}`,
      [2, 1, 1, 1],
      '',
      (page, count) => waitForVoters(page, count),
    );
    const recorder = new KvRecorder();
    try {
      // The dashboard: the coordinator in every header, the leader's star, its followers'
      // bars, a transfer button only the leader's tab can use.
      await expectDashboardsShowLeader(tabs);
      await expect
        .poll(async () => {
          const leader = await agreedLeader(tabs);
          const follower = tabs.find((tab) => tab !== leader)!;
          await follower.page.getByTestId('tab-raft').click();
          return follower.page.getByTestId('raft-transfer-button').isDisabled();
        })
        .toBe(true);
      // From the leader's dashboard, leadership goes to a tab of the first browser.
      const { operator } = await transferFromDashboard(tabs, [tabs[0]!, tabs[1]!]);
      await expect(
        operator.page.locator('[data-testid="raft-timeline-row"][data-kind="raft-transfer"]'),
      ).not.toHaveCount(0);
      await shoot(operator.page, 'raft-tab-after-transfer', testInfo);
      // Whoever leads now (an election may always follow) is the one whose tab closes.
      const first = await agreedLeader(tabs);
      const firstTerm = await appendFromEvery(tabs, 'formed');
      await expectLedgersMatch(tabs, 5);
      await recorder.round(tabs, 'formed');

      // The `ledger` memory namespace commits through Raft: written on one tab, it is on all.
      const stored = await tabs[3]!.page.evaluate(async () => {
        const entry = await window.mesh!.memory.store('ledger', 'owner', { task: 7 });
        return entry.writer;
      });
      expect(stored).toBe(tabs[3]!.id);
      for (const tab of tabs) {
        await expect
          .poll(() =>
            tab.page.evaluate(() => window.mesh?.memory.retrieve('ledger', 'owner')?.value),
          )
          .toEqual({ task: 7 });
      }
      expect(JSON.stringify(await ledgerLog(tabs[0]!.page))).toContain('memory.store');

      // Close the leader's tab: the rest elect a new leader, of a later term, and commit.
      await first.page.close();
      const afterClose = tabs.filter((tab) => tab !== first);
      const second = await agreedLeader(afterClose);
      expect(second.id).not.toBe(first.id);
      const closeTerm = await appendFromEvery(afterClose, 'after-close');
      expect(closeTerm).toBeGreaterThan(firstTerm);
      await recorder.round(afterClose, 'after-close');

      // Move leadership to an agent alone in its browser, then kill that browser's process.
      const lone = afterClose.find((tab) => tabs.indexOf(tab) >= 2 && tab !== second)!;
      await moveLeadership(afterClose, lone);
      const survivors = afterClose.filter((tab) => tab !== lone);
      const inFlight = recorder.round(afterClose, 'crash');
      await browsers[tabs.indexOf(lone) - 1]!.server.kill();
      await inFlight;
      const third = await agreedLeader(survivors);
      expect(third.id).not.toBe(lone.id);
      await appendFromEvery(survivors, 'after-crash');
      await recorder.round(survivors, 'after-crash');
      await expectLedgersMatch(survivors, 5 + 4 + 3);

      // The timelines say why each election began.
      const reasons = (await ledgerView(third.page))!.timeline
        .map((t) => t.event)
        .filter((e) => e.type === 'raft-election')
        .map((e) => (e as { reason: string }).reason);
      testInfo.annotations.push({ type: 'elections seen', description: reasons.join(', ') });
      expect(reasons).toContain('timeout');
      expectLinearizable(recorder, testInfo);
    } finally {
      await closeKillable(browsers);
    }
  });

  test('partition 3|2: the minority answers no-quorum and its old leader steps down, the majority commits; the heal erases the minority’s uncommitted entries; a reloaded follower catches up', async ({
    baseURL,
  }, testInfo) => {
    const { browsers, tabs } = await openConsensusMesh(
      testInfo,
      baseURL as string,
      `raft-partition-${Date.now()}`,
      [2, 2, 1],
      // No dashboards: five agents' dashboards on two cores stall the pages for seconds, long
      // past Raft's election timeouts (the first test checks what the dashboards show).
      '&ui=0',
      (page, count) => waitForVoters(page, count),
    );
    const recorder = new KvRecorder();
    const phase = phaseLog('raft partition');
    try {
      phase('formed');
      const leader = await agreedLeader(tabs);
      await appendFromEvery(tabs, 'formed');
      await recorder.round(tabs, 'formed');
      const minority = [leader, tabs.find((tab) => tab !== leader)!];
      const majority = tabs.filter((tab) => !minority.includes(tab));
      const committedBefore = (await ledgerStatus(leader.page)).commitIndex;

      // The leader applies the partition itself and at once appends: the entry reaches its own
      // log (it leads still, until check-quorum) and nobody else's.
      const stranded = leader.page.evaluate(
        async ([groups, marker]) => {
          const mesh = window.mesh!;
          window.meshDebug!.commands.partition(groups as never);
          while (mesh.snapshot().chaos?.partition == null)
            await new Promise((resolve) => setTimeout(resolve, 2));
          const placedAsLeader = mesh.ledger.status().role === 'leader';
          try {
            await mesh.ledger.append(marker);
            return { placedAsLeader, code: 'committed', maybeCommitted: true };
          } catch (error) {
            const { code, maybeCommitted } = error as { code?: unknown; maybeCommitted?: unknown };
            return { placedAsLeader, code: String(code), maybeCommitted: maybeCommitted === true };
          }
        },
        [[minority.map((t) => t.id), majority.map((t) => t.id)], 'minority-entry'] as const,
      );
      phase('partitioned');
      for (const tab of minority) await expectQuorumByApi(tab, false);
      for (const tab of majority) await expectQuorumByApi(tab, true);
      await expect.poll(() => ledgerStatus(leader.page).then((s) => s.role)).not.toBe('leader');
      // Placed, its fate is unknown when its time runs out (`timeout`, or `no-quorum` once the
      // membership saw the split) and it says it may have committed. Not placed (leadership had
      // moved), it waited for a leader or an answer from one across the split.
      phase('old leader stepped down');
      const strandedOutcome = await stranded;
      const placed = strandedOutcome.placedAsLeader;
      expect(['no-quorum', 'timeout', 'no-leader']).toContain(strandedOutcome.code);
      if (placed) expect(strandedOutcome.maybeCommitted).toBe(true);
      testInfo.annotations.push({
        type: 'stranded entry',
        description: strandedOutcome.placedAsLeader
          ? 'placed in the old leader’s log'
          : 'not placed',
      });
      if (strandedOutcome.placedAsLeader) {
        const view = (await ledgerView(leader.page))!;
        expect(view.lastIndex).toBeGreaterThan(view.status.commitIndex);
      }
      for (const tab of minority) {
        expect(await appendFrom(tab.page, 'minority-late')).toMatchObject({
          ok: false,
          code: 'no-quorum',
        });
        expect((await ledgerStatus(tab.page)).commitIndex).toBe(committedBefore);
      }
      phase('minority refused');
      const newLeader = await agreedLeader(majority);
      expect(minority).not.toContain(newLeader);
      await appendFromEvery(majority, 'majority');
      await recorder.round(majority, 'split');

      phase('majority committed');
      await healByApi(majority[0]!.page);
      await waitForHealedByApi(tabs);
      phase('healed');
      await appendFromEvery(tabs, 'healed');
      await expectLedgersMatch(tabs, 5 + 3 + 5);
      for (const record of await ledgerLog(leader.page)) {
        expect(record.entry).not.toBe('minority-entry');
        expect(record.entry).not.toBe('minority-late');
      }
      await recorder.round(tabs, 'healed');
      phase('ledgers match');

      // Reload a follower while the others commit: it returns from its stored log.
      const { leader: current } = await ledgerStatus(tabs[0]!.page);
      const reloaded = tabs.find((tab) => tab.id !== current)!;
      const others = tabs.filter((tab) => tab !== reloaded);
      await reloaded.page.reload();
      await appendFromEvery(others, 'during-reload');
      await reloaded.page.waitForFunction(() => window.mesh !== undefined, undefined, {
        timeout: 30_000,
      });
      phase('reloaded');
      await waitForVoters(reloaded.page, tabs.length);
      phase('reloaded tab votes');
      expect(await appendFrom(reloaded.page, 'reloaded')).toMatchObject({ ok: true });
      await expectLedgersMatch(tabs, 5 + 3 + 5 + 4 + 1);
      await recorder.round(tabs, 'reloaded');
      expectLinearizable(recorder, testInfo);
      phase('done');
    } finally {
      await closeKillable(browsers);
    }
  });
});
