import type { Browser, BrowserType, Page } from '@playwright/test';
import type { MeshSnapshot } from '../src/host/meshSnapshot';

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

declare global {
  interface Window {
    meshDebug?: import('../src/adapters/browser/debugHook').MeshDebugHook;
  }
}
