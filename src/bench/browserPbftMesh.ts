import type { Page } from '@playwright/test';
import type { CriticalStatus } from '../host/consensusView';
import type { AgentWindow } from './browserAgentTabs';

/**
 * Resolves once every tab runs a replica in a set of `n` and all name the same primary in the
 * same view; with their statuses.
 */
export async function waitPbftFormed(
  pages: readonly Page[],
  n: number,
  timeoutMs: number,
): Promise<CriticalStatus[]> {
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    pages.map((page) =>
      page.waitForFunction(
        (size) => {
          const status = (window as AgentWindow).mesh?.critical.status();
          return status !== undefined && status.n === size && status.primary !== null;
        },
        n,
        { polling: 50, timeout: timeoutMs },
      ),
    ),
  );
  for (;;) {
    const statuses = await Promise.all(pages.map(pbftStatus));
    const first = statuses[0] as CriticalStatus;
    if (statuses.every((s) => s.primary === first.primary && s.view === first.view)) {
      return statuses;
    }
    if (Date.now() > deadline) throw new Error('the tabs do not agree on the primary');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function pbftStatus(page: Page): Promise<CriticalStatus> {
  return page.evaluate(() => {
    const mesh = (window as AgentWindow).mesh;
    if (mesh === undefined) throw new Error('window.mesh is not there');
    return mesh.critical.status();
  });
}
