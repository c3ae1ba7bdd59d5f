import type { Browser, BrowserType, Page, TestInfo } from '@playwright/test';
import type { MemberStatus, MeshSnapshot } from '../src/host/meshSnapshot';

export interface MeshTab {
  page: Page;
  id: string;
}

/** Opens one tab per entry of `tabsPerBrowser`, each entry its own browser instance. */
export async function openMesh(
  browserType: BrowserType,
  launchOptions: Parameters<BrowserType['launch']>[0],
  baseURL: string,
  room: string,
  tabsPerBrowser: number[],
  /** Extra query parameters for every tab, e.g. `&signaling=ws://...`. */
  extraQuery = '',
): Promise<{ browsers: Browser[]; tabs: MeshTab[] }> {
  const browsers: Browser[] = [];
  const tabs: MeshTab[] = [];
  for (const tabCount of tabsPerBrowser) {
    const browser = await browserType.launch(launchOptions);
    browsers.push(browser);
    // Tabs of one instance share one context, as tabs of one browser window do.
    const context = await browser.newContext();
    for (let i = 0; i < tabCount; i++) {
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await page.goto(`${baseURL}/?room=${encodeURIComponent(room)}${extraQuery}`);
      const id = await page
        .waitForFunction(() => window.meshDebug?.selfId)
        .then((handle) => handle.jsonValue());
      tabs.push({ page, id: id as string });
    }
  }
  return { browsers, tabs };
}

export async function snapshotOf(page: Page): Promise<MeshSnapshot> {
  return page.evaluate(() => {
    if (window.meshDebug === undefined) throw new Error('mesh not started');
    return window.meshDebug.snapshot();
  });
}

/** Resolves when this tab has an open, authenticated link to exactly the given peers. */
export async function waitForOpenLinks(
  page: Page,
  peers: string[],
  timeoutMs = 60_000,
): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const snapshot = window.meshDebug?.snapshot();
      if (snapshot === undefined) return false;
      const open = snapshot.links
        .filter((link) => link.state === 'open')
        .map((link) => link.peer)
        .sort();
      return JSON.stringify(open) === JSON.stringify([...expected].sort());
    },
    peers,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** Resolves when the dashboard draws exactly `nodes` nodes and `edges` edges. */
export async function waitForDrawnTopology(
  page: Page,
  nodes: number,
  edges: number,
  timeoutMs = 30_000,
): Promise<void> {
  await page.waitForFunction(
    ([n, e]) =>
      document.querySelectorAll('[data-testid="topology-node"]').length === n &&
      document.querySelectorAll('[data-testid="topology-edge"]').length === e,
    [nodes, edges] as const,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** Three instances with one tab each, one instance with two tabs: five agents. */
export const FIVE_AGENTS_LAYOUT = [1, 1, 1, 2];

/** Resolves when this tab's membership view holds exactly these members with these statuses. */
export async function waitForMembers(
  page: Page,
  expected: Record<string, MemberStatus>,
  timeoutMs = 30_000,
): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const members = window.meshDebug?.snapshot().members ?? [];
      const live = members.filter((m) => m.status !== 'left' || want[m.id] === 'left');
      return live.length === Object.keys(want).length && live.every((m) => want[m.id] === m.status);
    },
    expected,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** Resolves when this tab counts `size` members in its agreed membership, all reachable. */
export async function waitForAgreedMembership(
  page: Page,
  size: number,
  timeoutMs = 30_000,
): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const quorum = window.meshDebug?.snapshot().quorum;
      return quorum !== undefined && quorum.membershipSize === n && quorum.reachable === n;
    },
    size,
    { timeout: timeoutMs, polling: 100 },
  );
}

export function allAlive(tabs: MeshTab[]): Record<string, MemberStatus> {
  return Object.fromEntries(tabs.map((tab) => [tab.id, 'alive' as MemberStatus]));
}

/** Saves a screenshot of `page` under the test's output and attaches it to the report. */
export async function shoot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const body = await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** Five agents in four instances, each holding all five alive in its agreed membership. */
export async function openSettledMesh(
  browserType: BrowserType,
  testInfo: TestInfo,
  baseURL: string,
  roomPrefix: string,
): Promise<{ browsers: Browser[]; tabs: MeshTab[] }> {
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const mesh = await openMesh(
    browserType,
    launchOptions,
    baseURL,
    `${roomPrefix}-${Date.now()}`,
    FIVE_AGENTS_LAYOUT,
  );
  for (const tab of mesh.tabs) await waitForMembers(tab.page, allAlive(mesh.tabs));
  for (const tab of mesh.tabs) await waitForAgreedMembership(tab.page, mesh.tabs.length);
  return mesh;
}

declare global {
  interface Window {
    meshDebug?: import('../src/adapters/browser/debugHook').MeshDebugHook;
    meshShared?: import('../src/crdt/sharedState').SharedState;
  }
}
