import { expect, test, type Browser, type Page } from '@playwright/test';
import type { YWebrtcBridge } from '../src/adapters/browser/yWebrtcBridge';
import type { SharedState } from '../src/crdt/sharedState';
import type { YjsClientHook } from '../src/yjsClient/main';
import { closeAll, openMesh, waitForOpenLinks } from './mesh';

declare global {
  interface Window {
    meshShared?: SharedState;
    meshYjsBridge?: YWebrtcBridge;
    yjsClient?: YjsClientHook;
  }
}

/** Resolves when the mesh tab's shared doc holds `value` under `key` of map `interop`. */
async function waitInMesh(page: Page, key: string, value: string): Promise<void> {
  await page.waitForFunction(
    ([k, v]) => window.meshShared?.doc.getMap('interop').get(k as string) === v,
    [key, value] as const,
    { timeout: 30_000, polling: 50 },
  );
}

/** Resolves when the stock client's doc holds `value` under `key` of map `interop`. */
async function waitInStock(page: Page, key: string, value: string): Promise<void> {
  await page.waitForFunction(
    ([k, v]) => window.yjsClient?.doc.getMap('interop').get(k as string) === v,
    [key, value] as const,
    { timeout: 30_000, polling: 50 },
  );
}

test('y-webrtc interop: a stock client and a mesh tab without the bridge share one document through a bridge tab', async ({
  playwright,
  browserName,
  baseURL,
}, testInfo) => {
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const browserType = playwright[browserName];
  const room = `interop-${Date.now()}-${testInfo.repeatEachIndex}`;
  const browsers: Browser[] = [];
  try {
    // Two mesh tabs, each in its own browser instance; only the first runs the bridge.
    const bridgeSide = await openMesh(
      browserType,
      launchOptions,
      baseURL as string,
      room,
      [1],
      '&yjsBridge=1',
    );
    browsers.push(...bridgeSide.browsers);
    const plainSide = await openMesh(browserType, launchOptions, baseURL as string, room, [1]);
    browsers.push(...plainSide.browsers);
    const bridgeTab = bridgeSide.tabs[0] as (typeof bridgeSide.tabs)[0];
    const meshTab = plainSide.tabs[0] as (typeof plainSide.tabs)[0];
    await waitForOpenLinks(bridgeTab.page, [meshTab.id]);
    await waitForOpenLinks(meshTab.page, [bridgeTab.id]);
    // The bridge runs only where asked for.
    await bridgeTab.page.waitForFunction(() => window.meshYjsBridge !== undefined);
    expect(await meshTab.page.evaluate(() => window.meshYjsBridge === undefined)).toBe(true);

    // Written before any stock client exists: it must arrive by the initial sync.
    await meshTab.page.evaluate(() =>
      window.meshShared?.doc.getMap('interop').set('before', 'mesh'),
    );
    await waitInMesh(bridgeTab.page, 'before', 'mesh');

    // The stock client: the y-webrtc package unchanged, in a third browser instance.
    const stockBrowser = await browserType.launch(launchOptions);
    browsers.push(stockBrowser);
    const stock = await (await stockBrowser.newContext()).newPage();
    stock.on('pageerror', (error) => console.error(`[stock page error] ${error.message}`));
    await stock.goto(`${baseURL as string}/yjs-client.html?room=${encodeURIComponent(room)}`);
    await stock.waitForFunction(() => window.yjsClient !== undefined);
    await waitInStock(stock, 'before', 'mesh');
    // It is linked to the bridge tab over WebRTC (not to the plain mesh tab: it cannot be).
    await stock.waitForFunction(() => (window.yjsClient?.peerCount() ?? 0) === 1);
    expect(await bridgeTab.page.evaluate(() => window.meshYjsBridge?.peerCount())).toBe(1);

    // Stock -> bridge -> mesh.
    await stock.evaluate(() => window.yjsClient?.doc.getMap('interop').set('from', 'stock'));
    await waitInMesh(meshTab.page, 'from', 'stock');

    // Mesh -> bridge -> stock.
    await meshTab.page.evaluate(() =>
      window.meshShared?.doc.getMap('interop').set('reply', 'mesh'),
    );
    await waitInStock(stock, 'reply', 'mesh');

    // One document: all three hold the same map.
    const contents = async (page: Page, stockSide: boolean) =>
      page.evaluate(
        (isStock) =>
          JSON.stringify(
            Object.fromEntries(
              [
                ...((isStock ? window.yjsClient?.doc : window.meshShared?.doc)
                  ?.getMap('interop')
                  .entries() ?? []),
              ].sort(([a], [b]) => (a < b ? -1 : 1)),
            ),
          ),
        stockSide,
      );
    const expected = JSON.stringify({ before: 'mesh', from: 'stock', reply: 'mesh' });
    await expect.poll(() => contents(bridgeTab.page, false)).toBe(expected);
    expect(await contents(meshTab.page, false)).toBe(expected);
    expect(await contents(stock, true)).toBe(expected);
    const body = await stock.screenshot({ path: testInfo.outputPath('stock-client.png') });
    await testInfo.attach('stock-client', { body, contentType: 'image/png' });
  } finally {
    await closeAll(browsers);
  }
});
