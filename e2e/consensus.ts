import {
  chromium,
  expect,
  type Browser,
  type BrowserContext,
  type BrowserServer,
  type Page,
  type TestInfo,
} from '@playwright/test';
import type { CriticalLogEntry, CriticalStatus } from '../src/host/consensusView';
import {
  allAlive,
  shoot,
  waitForAgreedMembership,
  waitForFullMesh,
  waitForMembers,
  type MeshTab,
} from './mesh';

/**
 * The pBFT steps the consensus specs share. Every agent's browser is a server process of its
 * own, so a test can kill one (SIGKILL to its process group: a crash that says nothing).
 */

export interface KillableBrowser {
  server: BrowserServer;
  browser: Browser;
}

/** Opens one more tab of the app in `context`, in `room`; resolves once its mesh exists. */
export async function openConsensusTab(
  context: BrowserContext,
  baseURL: string,
  room: string,
  query = '',
): Promise<MeshTab> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(`${baseURL}/?room=${encodeURIComponent(room)}${query}`);
  const id = await page.waitForFunction(() => window.mesh?.id).then((handle) => handle.jsonValue());
  return { page, id: id as string };
}

/**
 * One browser instance per entry of `layout`, `layout[i]` tabs in it, all in `room`; `query`
 * (`&name=value...`, or one per tab by its index) is added to the tabs' addresses. Resolves
 * once the membership agrees and `ready` holds on every tab (by default: all are replicas).
 */
export async function openConsensusMesh(
  testInfo: TestInfo,
  baseURL: string,
  room: string,
  layout: number[],
  query: string | ((index: number) => string) = '',
  ready: (page: Page, count: number) => Promise<void> = waitForReplicas,
): Promise<{ browsers: KillableBrowser[]; tabs: MeshTab[] }> {
  const queryOf = typeof query === 'string' ? () => query : query;
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const browsers: KillableBrowser[] = [];
  const tabs: MeshTab[] = [];
  try {
    for (const count of layout) {
      const server = await chromium.launchServer(launchOptions);
      const browser = await chromium.connect(server.wsEndpoint());
      browsers.push({ server, browser });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      for (let i = 0; i < count; i++) {
        tabs.push(await openConsensusTab(context, baseURL, room, queryOf(tabs.length)));
      }
    }
    await waitForFullMesh(tabs);
    for (const tab of tabs) await waitForMembers(tab.page, allAlive(tabs));
    for (const tab of tabs) await waitForAgreedMembership(tab.page, tabs.length);
    for (const tab of tabs) await ready(tab.page, tabs.length);
  } catch (error) {
    await closeKillable(browsers);
    throw error;
  }
  return { browsers, tabs };
}

export async function closeKillable(browsers: KillableBrowser[]): Promise<void> {
  await Promise.all(browsers.map(({ server }) => server.close().catch(() => undefined)));
}

export async function statusOf(page: Page): Promise<CriticalStatus> {
  return page.evaluate(() => {
    if (window.mesh === undefined) throw new Error('mesh not started');
    return window.mesh.critical.status();
  });
}

/** Resolves when this tab runs a replica in a set of `n`. */
export async function waitForReplicas(page: Page, n: number, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction((size) => window.mesh?.critical.status().n === size, n, {
    timeout: timeoutMs,
    polling: 100,
  });
}

/** Proposes a demo action from `page`; resolves with its outcome (never throws). */
export async function propose(
  page: Page,
  by = 1,
): Promise<{ ok: true; seq: number; view: number } | { ok: false; code: string }> {
  return page.evaluate(async (step) => {
    if (window.mesh === undefined) throw new Error('mesh not started');
    try {
      const { seq, view } = await window.mesh.critical.propose({
        kind: 'demo.increment',
        by: step,
      });
      return { ok: true as const, seq, view };
    } catch (error) {
      return { ok: false as const, code: String((error as { code?: unknown }).code) };
    }
  }, by);
}

export async function logOf(page: Page): Promise<CriticalLogEntry[]> {
  return page.evaluate(() => window.mesh?.critical.log({ fromSeq: 0, limit: 1000 }) ?? []);
}

/** What every honest log must agree on (the view is each agent's own observation). */
function agreedPart(entries: CriticalLogEntry[]): string[] {
  return entries.map((e) => `${e.seq}.${e.index} ${e.kind} ${e.proposer} ${e.digest}`);
}

/** Resolves when every tab's log holds the same `count` or more entries, and one is a prefix. */
export async function expectLogsMatch(tabs: MeshTab[], atLeast: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const logs = await Promise.all(tabs.map((tab) => logOf(tab.page).then(agreedPart)));
        const shortest = Math.min(...logs.map((log) => log.length));
        const longest = logs.reduce((a, b) => (a.length >= b.length ? a : b));
        // Every log is a prefix of the longest (nothing differs), and all have caught up.
        const prefixes = logs.every((log) => log.every((entry, i) => entry === longest[i]));
        return prefixes && shortest >= atLeast && shortest === longest.length;
      },
      { timeout: 30_000, intervals: [200] },
    )
    .toBe(true);
}

/** Opens the Consensus tab on `page` and takes a screenshot of it. */
export async function shootConsensus(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  await page.getByTestId('tab-consensus').click();
  await expect(page.getByTestId('consensus-panel')).toBeVisible();
  await shoot(page, name, testInfo);
}

declare global {
  interface Window {
    mesh?: import('../src/api/mesh').Mesh;
  }
}

/**
 * Resolves when `page`'s replica has moved past `view`. It may already be changing to a later
 * one: a replica whose request timer ran out alone waits there for the others (they follow once
 * their own timers run out), which is pBFT's way and no fault of the agent.
 */
export async function waitForViewAbove(
  page: Page,
  view: number,
  timeoutMs = 30_000,
): Promise<void> {
  await page.waitForFunction((v) => (window.mesh?.critical.status().view ?? -1) > v, view, {
    timeout: timeoutMs,
    polling: 100,
  });
}

/** The replicas `page` holds proven misbehaving. */
export async function flaggedBy(page: Page): Promise<string[]> {
  return page.evaluate(
    () => window.mesh?.snapshot().consensus?.flagged.map((f) => f.replica) ?? [],
  );
}
