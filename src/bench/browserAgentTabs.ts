import {
  chromium,
  type Browser,
  type BrowserServer,
  type LaunchOptions,
  type Page,
} from '@playwright/test';
import type { Mesh } from '../api/mesh';

/** What the browser benches use of a page: the public API, `window.mesh`. */
export interface AgentWindow {
  mesh?: Mesh;
}

/**
 * One agent in a Chromium instance of its own, started as a server process so the bench can
 * kill its whole process group (a crash that says nothing: no pagehide, no bye).
 */
export interface AgentTab {
  server: BrowserServer;
  browser: Browser;
  page: Page;
}

export async function launchAgentTab(launch: LaunchOptions): Promise<AgentTab> {
  return (await launchTabs(launch, 1))[0] as AgentTab;
}

/**
 * `count` agents as tabs of one Chromium instance, each in a context of its own (its own
 * storage, as separate profiles): tabs of one browser, as a user opens them. The scheduler
 * sees them as one: Playwright starts each instance in a session of its own, and with the
 * kernel's autogroups on (`/proc/sys/kernel/sched_autogroup_enabled`) each session shares the
 * cores as one group, so a page's main thread in an instance of its own waits behind its own
 * spinning worker for its group's share.
 */
export async function launchTabs(launch: LaunchOptions, count: number): Promise<AgentTab[]> {
  const server = await chromium.launchServer(launch);
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    const tabs: AgentTab[] = [];
    for (let i = 0; i < count; i++) {
      const context = await browser.newContext();
      // tsx keeps function names with a helper the page does not have; give it one.
      await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
      tabs.push({ server, browser, page: await context.newPage() });
    }
    return tabs;
  } catch (error) {
    await server.kill();
    throw error;
  }
}

/** Replaces, in place, every tab whose browser is gone (killed, crashed) or whose page closed. */
export async function reviveTabs(tabs: AgentTab[], launch: LaunchOptions): Promise<void> {
  for (let i = 0; i < tabs.length; i++) {
    const tab = tabs[i] as AgentTab;
    if (tab.browser.isConnected() && !tab.page.isClosed()) continue;
    if (tab.browser.isConnected()) {
      // Only the page was closed: a new one in the same context (its init script included).
      tabs[i] = { ...tab, page: await tab.page.context().newPage() };
      continue;
    }
    await tab.server.kill().catch(() => undefined);
    tabs[i] = await launchAgentTab(launch);
  }
}

export async function closeAgentTabs(tabs: readonly AgentTab[]): Promise<void> {
  const servers = new Set(tabs.map((tab) => tab.server));
  await Promise.all([...servers].map((server) => server.close().catch(() => server.kill())));
}

/**
 * Opens `room` in every tab without the dashboard (`?ui=0`: the agent alone is measured), plus
 * `query`; resolves with the agent ids, or fails with the page's own start-up error.
 */
export async function openAgentRoom(
  tabs: readonly AgentTab[],
  baseUrl: string,
  room: string,
  query = '',
): Promise<string[]> {
  return Promise.all(
    tabs.map(async ({ page }) => {
      await page.goto(`${baseUrl}/?room=${encodeURIComponent(room)}&ui=0${query}`);
      try {
        const handle = await page.waitForFunction(() => (window as AgentWindow).mesh?.id, null, {
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

/** Every open link's recent ping round trips as this tab measured them. */
export async function linkRoundTrips(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const mesh = (window as AgentWindow).mesh;
    if (mesh === undefined) return [];
    return mesh
      .snapshot()
      .links.filter((link) => link.state === 'open')
      .flatMap((link) => link.recentRttMs);
  });
}
