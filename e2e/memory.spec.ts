import { expect, test, type Page } from '@playwright/test';
import {
  closeAll,
  healByApi,
  openMesh,
  partitionByApi,
  shoot,
  waitForFullMesh,
  waitForOpenLinks,
  type MeshTab,
} from './mesh';

async function store(page: Page, namespace: string, key: string, value: unknown): Promise<void> {
  await page.evaluate(
    async ([ns, k, v]) => {
      if (window.meshShared === undefined) throw new Error('shared state not started');
      await window.meshShared.ready;
      await window.meshShared.memory.store(ns as string, k as string, v);
    },
    [namespace, key, value] as const,
  );
}

/** Resolves when this tab's store holds `value` under the key. */
async function waitForValue(page: Page, namespace: string, key: string, value: unknown) {
  await page.waitForFunction(
    ([ns, k, v]) =>
      JSON.stringify(window.meshShared?.memory.retrieve(ns as string, k as string)?.value) ===
      JSON.stringify(v),
    [namespace, key, value] as const,
    { timeout: 30_000 },
  );
}

test('memory: a write reaches every tab; both sides of a partition write, heal merges them; a reloaded tab keeps its state', async ({
  playwright,
  browserName,
  baseURL,
}, testInfo) => {
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const { browsers, tabs } = await openMesh(
    playwright[browserName],
    launchOptions,
    baseURL as string,
    `memory-${Date.now()}`,
    [1, 1, 1],
  );
  try {
    const [a, b, c] = tabs as [MeshTab, MeshTab, MeshTab];
    await waitForFullMesh(tabs);
    await store(a.page, 'demo', 'greeting', { text: 'hello' });
    for (const tab of tabs) await waitForValue(tab.page, 'demo', 'greeting', { text: 'hello' });

    // The dashboard lists it, with its writer.
    await a.page.getByTestId('tab-memory').click();
    await expect(a.page.locator('[data-testid="memory-row"][data-key="greeting"]')).toContainText(
      'hello',
    );
    await shoot(a.page, 'memory-written', testInfo);

    // Store from one dashboard's form (with a TTL), delete from another's row.
    await b.page.getByTestId('tab-memory').click();
    await b.page.getByTestId('memory-key').fill('from-the-form');
    await b.page.getByTestId('memory-value').fill('{"via":"form"}');
    await b.page.getByTestId('memory-ttl').fill('600');
    await b.page.getByTestId('memory-store').click();
    await waitForValue(c.page, 'demo', 'from-the-form', { via: 'form' });
    await c.page.getByTestId('tab-memory').click();
    const row = c.page.locator('[data-testid="memory-row"][data-key="from-the-form"]');
    await expect(row).toContainText('"via":"form"');
    await c.page
      .locator('[data-testid="memory-row"][data-key="from-the-form"] [data-testid="memory-delete"]')
      .click();
    await a.page.waitForFunction(
      () => window.meshShared?.memory.retrieve('demo', 'from-the-form') === null,
    );

    // Partition {a, b} | {c}; each side writes its own key and the same key.
    await partitionByApi(a.page, [[a, b], [c]]);
    await waitForOpenLinks(c.page, []);
    await waitForOpenLinks(a.page, [b.id]);
    await store(a.page, 'demo', 'left-side', 1);
    await store(a.page, 'demo', 'contested', 'from the majority');
    await store(c.page, 'demo', 'right-side', 2);
    // Written later (by its hybrid logical clock): this one wins the contested key.
    await store(c.page, 'demo', 'contested', 'from the minority, later');
    await waitForValue(b.page, 'demo', 'left-side', 1);
    expect(
      await c.page.evaluate(() => window.meshShared?.memory.retrieve('demo', 'left-side') ?? null),
    ).toBeNull();
    await shoot(c.page, 'memory-partitioned', testInfo);

    await healByApi(a.page);
    for (const tab of tabs) {
      await waitForValue(tab.page, 'demo', 'left-side', 1);
      await waitForValue(tab.page, 'demo', 'right-side', 2);
      await waitForValue(tab.page, 'demo', 'contested', 'from the minority, later');
    }
    // Every tab shows both peers in sync (state vectors compared).
    for (const tab of tabs) {
      await expect(
        tab.page.locator('[data-testid="sync-indicator"][data-state="in-sync"]'),
      ).toHaveCount(2, { timeout: 30_000 });
    }
    await shoot(a.page, 'memory-healed', testInfo);

    // With every other agent gone, a reload can only find its state in IndexedDB.
    await browsers[0]?.close();
    await browsers[1]?.close();
    await c.page.reload();
    await waitForValue(c.page, 'demo', 'greeting', { text: 'hello' });
    await waitForValue(c.page, 'demo', 'contested', 'from the minority, later');
    expect(await c.page.evaluate(() => window.meshShared?.sync.peerCount)).toBe(0);
    await shoot(c.page, 'memory-reloaded', testInfo);
  } finally {
    await closeAll(browsers);
  }
});
