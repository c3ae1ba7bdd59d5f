import {
  chromium,
  type Browser,
  type BrowserServer,
  type LaunchOptions,
  type Page,
} from '@playwright/test';
import type { Mesh } from '../api/mesh';
import type { CriticalStatus } from '../host/consensusView';

/** What the pBFT browser benches use of a page: the public API, `window.mesh`. */
export interface PbftWindow {
  mesh?: Mesh;
}

/**
 * One agent in a Chromium instance of its own, started as a server process so the bench can
 * kill its whole process group (a crash that says nothing: no pagehide, no bye).
 */
export interface PbftTab {
  server: BrowserServer;
  browser: Browser;
  page: Page;
}

export async function launchPbftTab(launch: LaunchOptions): Promise<PbftTab> {
  const server = await chromium.launchServer(launch);
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    const context = await browser.newContext();
    // tsx keeps function names with a helper the page does not have; give it one.
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    return { server, browser, page: await context.newPage() };
  } catch (error) {
    await server.kill();
    throw error;
  }
}

/** Replaces, in place, every tab whose browser is gone (killed, or crashed in a measurement). */
export async function reviveTabs(tabs: PbftTab[], launch: LaunchOptions): Promise<void> {
  for (let i = 0; i < tabs.length; i++) {
    const tab = tabs[i] as PbftTab;
    if (tab.browser.isConnected()) continue;
    await tab.server.kill().catch(() => undefined);
    tabs[i] = await launchPbftTab(launch);
  }
}

export async function closePbftTabs(tabs: readonly PbftTab[]): Promise<void> {
  await Promise.all(tabs.map((tab) => tab.server.close().catch(() => tab.server.kill())));
}

/**
 * Opens `room` in every tab without the dashboard (`?ui=0`: the agent alone is measured), plus
 * `query`; resolves with the agent ids, or fails with the page's own start-up error.
 */
export async function openPbftRoom(
  tabs: readonly PbftTab[],
  baseUrl: string,
  room: string,
  query = '',
): Promise<string[]> {
  return Promise.all(
    tabs.map(async ({ page }) => {
      await page.goto(`${baseUrl}/?room=${encodeURIComponent(room)}&ui=0${query}`);
      try {
        const handle = await page.waitForFunction(() => (window as PbftWindow).mesh?.id, null, {
          timeout: 15_000,
        });
        return (await handle.jsonValue()) as string;
      } catch (error) {
        const banner = await page
          .locator('[data-testid=fatal-error]')
          .textContent({ timeout: 100 })
          .catch(() => null);
        throw new Error(banner ?? `the page's agent did not start: ${String(error)}`);
      }
    }),
  );
}

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
          const status = (window as PbftWindow).mesh?.critical.status();
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
    const mesh = (window as PbftWindow).mesh;
    if (mesh === undefined) throw new Error('window.mesh is not there');
    return mesh.critical.status();
  });
}
