import { expect, type Browser, type BrowserType, type Page, type TestInfo } from '@playwright/test';
import type { MemberStatus, MeshCommands, MeshSnapshot } from '../src/host/meshSnapshot';

/**
 * The end-to-end steps every spec shares: open a mesh over several browser instances, wait for
 * it to settle, partition and heal it from a dashboard or the page API, check the quorum each
 * side shows, take screenshots. Each step waits for the state it promises, never for time.
 */

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
  /** Extra query parameters for every tab (`&signaling=ws://...`), or per tab by its index. */
  extraQuery: string | ((index: number) => string) = '',
): Promise<{ browsers: Browser[]; tabs: MeshTab[] }> {
  const queryOf = typeof extraQuery === 'string' ? () => extraQuery : extraQuery;
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
      await page.goto(`${baseURL}/?room=${encodeURIComponent(room)}${queryOf(tabs.length)}`);
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

/**
 * A mesh (five agents in four instances unless `layout` says otherwise) in which every tab
 * links to every other and holds all of them alive in its agreed membership.
 */
export async function openSettledMesh(
  browserType: BrowserType,
  testInfo: TestInfo,
  baseURL: string,
  roomPrefix: string,
  layout: number[] = FIVE_AGENTS_LAYOUT,
  extraQuery: string | ((index: number) => string) = '',
): Promise<{ browsers: Browser[]; tabs: MeshTab[] }> {
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const mesh = await openMesh(
    browserType,
    launchOptions,
    baseURL,
    `${roomPrefix}-${Date.now()}`,
    layout,
    extraQuery,
  );
  try {
    await waitForFullMesh(mesh.tabs);
    for (const tab of mesh.tabs) await waitForMembers(tab.page, allAlive(mesh.tabs));
    for (const tab of mesh.tabs) await waitForAgreedMembership(tab.page, mesh.tabs.length);
  } catch (error) {
    await closeAll(mesh.browsers);
    throw error;
  }
  return mesh;
}

export async function closeAll(browsers: Browser[]): Promise<void> {
  await Promise.all(browsers.map((browser) => browser.close()));
}

/** Resolves when every tab has an open link to every other tab (and to no one else). */
export async function waitForFullMesh(tabs: MeshTab[], timeoutMs = 60_000): Promise<void> {
  for (const tab of tabs) await waitForOpenLinks(tab.page, idsBut(tabs, tab), timeoutMs);
}

/** The ids of `tabs` other than `self`. */
export function idsBut(tabs: MeshTab[], self: MeshTab): string[] {
  return tabs.filter((tab) => tab !== self).map((tab) => tab.id);
}

/** The id of the newest command this tab's Chaos panel reports on, or '' before any. */
async function lastCommandId(page: Page): Promise<string> {
  return (await snapshotOf(page)).chaos.lastCommand?.id ?? '';
}

/**
 * Waits until the operator's Chaos panel reports a command newer than `before` of `kind` as
 * applied by every agent it concerns (their signed acks arrived).
 */
async function waitForAppliedEverywhere(operator: Page, kind: string, before: string) {
  const delivery = operator.getByTestId('chaos-delivery');
  await expect(delivery).not.toHaveAttribute('data-command-id', before);
  await expect(delivery).toHaveAttribute('data-kind', kind);
  await expect(delivery).toHaveAttribute('data-status', 'applied everywhere');
}

/**
 * Splits the mesh from `operator`'s dashboard: partition mode, as many groups as given, each
 * agent clicked into its group on the graph, cut. Resolves once every agent acked the command.
 * Every tab must be in one of the groups.
 */
export async function partitionFromDashboard(
  operator: MeshTab,
  groups: MeshTab[][],
): Promise<void> {
  const page = operator.page;
  const before = await lastCommandId(page);
  await page.getByTestId('chaos-partition-mode').check();
  await page.getByTestId(`chaos-group-count-${groups.length}`).click();
  // Partition mode starts everyone in group 0; each click moves an agent to the next group.
  for (const [group, members] of groups.entries()) {
    for (const tab of members) {
      const node = page.locator(`[data-testid="topology-node"][data-agent-id="${tab.id}"]`);
      for (let i = 0; i < group; i++) await node.click();
      await expect(node).toHaveAttribute('data-group', String(group));
    }
  }
  await page.getByTestId('chaos-cut').click();
  await waitForAppliedEverywhere(page, 'partition', before);
}

/** Heals from `operator`'s dashboard; resolves once every agent it knows acked the heal. */
export async function healFromDashboard(operator: MeshTab): Promise<void> {
  const before = await lastCommandId(operator.page);
  await operator.page.getByTestId('chaos-heal').click();
  await waitForAppliedEverywhere(operator.page, 'heal', before);
}

/** Partitions through the page API (window.meshDebug.commands), as an app would. */
export async function partitionByApi(page: Page, groups: MeshTab[][]): Promise<void> {
  await page.evaluate(
    (ids) => window.meshDebug?.commands.partition(ids as Parameters<MeshCommands['partition']>[0]),
    groups.map((group) => group.map((tab) => tab.id)),
  );
}

export async function healByApi(page: Page): Promise<void> {
  await page.evaluate(() => window.meshDebug?.commands.heal());
}

/** Resolves when, after a heal, every tab links to every other and holds all of them alive. */
export async function waitForHealed(tabs: MeshTab[]): Promise<void> {
  await waitForFullMesh(tabs);
  for (const tab of tabs) await waitForMembers(tab.page, allAlive(tabs));
  for (const tab of tabs) await expect(tab.page.getByTestId('partition-state')).toHaveCount(0);
}

/** The same, for tabs without a dashboard (`?ui=0`): from the page API's snapshot. */
export async function waitForHealedByApi(tabs: MeshTab[]): Promise<void> {
  await waitForFullMesh(tabs);
  for (const tab of tabs) await waitForMembers(tab.page, allAlive(tabs));
  for (const tab of tabs)
    await tab.page.waitForFunction(
      () => window.meshDebug?.snapshot().chaos?.partition == null,
      null,
      {
        timeout: 30_000,
        polling: 100,
      },
    );
}

/** Whether this tab holds a quorum, from the page API's snapshot (tabs without a dashboard). */
export async function expectQuorumByApi(tab: MeshTab, hasQuorum: boolean): Promise<void> {
  await expect
    .poll(() => tab.page.evaluate(() => window.meshDebug?.snapshot().quorum.hasQuorum ?? null))
    .toBe(hasQuorum);
}

/** The quorum this tab's header shows: whether it holds one, and optionally the counts. */
export async function expectQuorum(
  tab: MeshTab,
  expected: { hasQuorum: boolean; reachable?: number; membership?: number },
): Promise<void> {
  const badge = tab.page.getByTestId('quorum');
  await expect(badge).toHaveAttribute('data-has-quorum', String(expected.hasQuorum));
  if (expected.reachable !== undefined) {
    await expect(badge).toHaveAttribute('data-reachable', String(expected.reachable));
  }
  if (expected.membership !== undefined) {
    await expect(badge).toHaveAttribute('data-membership', String(expected.membership));
  }
}

declare global {
  interface Window {
    meshDebug?: import('../src/adapters/browser/debugHook').MeshDebugHook;
    meshShared?: import('../src/crdt/sharedState').SharedState;
  }
}
