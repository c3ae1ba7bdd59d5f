import type { Page } from '@playwright/test';
import type { LedgerStatus } from '../host/ledgerView';
import type { AgentTab, AgentWindow } from './browserAgentTabs';

/** The Raft browser benches' view of a room: every tab's ledger status, through `window.mesh`. */

export async function ledgerStatusOf(page: Page): Promise<LedgerStatus> {
  return page.evaluate(() => {
    const mesh = (window as AgentWindow).mesh;
    if (mesh === undefined) throw new Error('window.mesh is not there');
    return mesh.ledger.status();
  });
}

/**
 * Resolves once every tab's log holds `voters` voters and all follow one leader that says it
 * leads; with the leader's index in `tabs` and the term.
 */
export async function waitRaftFormed(
  tabs: readonly AgentTab[],
  voters: number,
  timeoutMs: number,
): Promise<{ leader: number; term: number }> {
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    tabs.map(({ page }) =>
      page.waitForFunction(
        (count) => {
          const status = (window as AgentWindow).mesh?.ledger.status();
          return status !== undefined && status.voters.length === count && status.leader !== null;
        },
        voters,
        { polling: 50, timeout: timeoutMs },
      ),
    ),
  );
  const ids = await Promise.all(
    tabs.map(({ page }) => page.evaluate(() => (window as AgentWindow).mesh?.id ?? '')),
  );
  for (;;) {
    const statuses = await Promise.all(tabs.map(({ page }) => ledgerStatusOf(page)));
    const first = statuses[0] as LedgerStatus;
    const leader = ids.indexOf(first.leader ?? '');
    const agreed = statuses.every((s) => s.leader === first.leader && s.term === first.term);
    if (agreed && leader >= 0 && statuses[leader]?.role === 'leader')
      return { leader, term: first.term };
    if (Date.now() > deadline) throw new Error('the tabs do not agree on a Raft leader');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
