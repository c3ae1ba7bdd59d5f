import { expect, test } from '@playwright/test';
import { startServer } from '../server/startServer';
import { closeAll, openMesh, waitForOpenLinks } from './mesh';

test('with the signaling server stopped, a reloaded tab rejoins the whole mesh through its sibling tab and a relaying peer', async ({
  playwright,
  browserName,
  baseURL,
}, testInfo) => {
  // Pages come from the shared server; signaling goes to a server of this test's own, which it
  // stops (a reload still needs somewhere to load the page from).
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  const signaling = `&signaling=${encodeURIComponent(`${server.wsUrl}/signal`)}`;
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const room = `server-down-${Date.now()}`;
  // One instance with two tabs (siblings), one with one tab.
  const { browsers, tabs } = await openMesh(
    playwright[browserName],
    launchOptions,
    baseURL as string,
    room,
    [2, 1],
    signaling,
  );
  try {
    const ids = tabs.map((tab) => tab.id);
    for (const tab of tabs)
      await waitForOpenLinks(
        tab.page,
        ids.filter((id) => id !== tab.id),
      );

    await server.close();
    await expect
      .poll(() => tabs[0]!.page.evaluate(() => window.meshDebug!.snapshot().signaling.state))
      .not.toBe('open');

    // The reloaded tab keeps its identity (sessionStorage) and has no server to meet anyone.
    const reloaded = tabs[1]!;
    await reloaded.page.reload();
    await reloaded.page.waitForFunction(() => window.meshDebug?.selfId !== undefined);
    expect(await reloaded.page.evaluate(() => window.meshDebug!.selfId)).toBe(reloaded.id);
    await waitForOpenLinks(reloaded.page, [tabs[0]!.id, tabs[2]!.id]);
    await waitForOpenLinks(tabs[2]!.page, [tabs[0]!.id, reloaded.id]);
    const shot = await reloaded.page.screenshot({
      path: testInfo.outputPath('rejoined-without-server.png'),
    });
    await testInfo.attach('rejoined-without-server', { body: shot, contentType: 'image/png' });
  } finally {
    await closeAll(browsers);
    await server.close();
  }
});
