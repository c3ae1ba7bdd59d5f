import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import {
  closeAll,
  FIVE_AGENTS_LAYOUT,
  openMesh,
  snapshotOf,
  waitForDrawnTopology,
  waitForFullMesh,
  waitForOpenLinks,
  type MeshTab,
} from './mesh';

test('five agents across four browser instances form a full mesh and see a closed tab leave', async ({
  playwright,
  browserName,
  baseURL,
}, testInfo) => {
  const browserType = playwright[browserName];
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const room = `full-mesh-${Date.now()}`;
  const { browsers, tabs } = await openMesh(
    browserType,
    launchOptions,
    baseURL as string,
    room,
    FIVE_AGENTS_LAYOUT,
  );
  try {
    expect(new Set(tabs.map((tab) => tab.id)).size).toBe(5);
    await waitForFullMesh(tabs);
    for (const tab of tabs) await waitForDrawnTopology(tab.page, 5, 10);

    for (const tab of tabs) {
      const snapshot = await snapshotOf(tab.page);
      expect(snapshot.selfId).toBe(tab.id);
      expect(snapshot.edges).toHaveLength(10);
      await expect(
        tab.page.locator('[data-testid="topology-node"][data-self="true"]'),
      ).toHaveAttribute('data-agent-id', tab.id);
    }
    // Every own link is measured: its round trip shows up once pings have flowed.
    await tabs[0]!.page.waitForFunction(() =>
      window.meshDebug!.snapshot().links.every((link) => link.rttMs !== null && link.rttMs >= 0),
    );
    const screenshot = await tabs[0]!.page.screenshot({
      path: testInfo.outputPath('dashboard-five-agents.png'),
    });
    await testInfo.attach('dashboard-five-agents', { body: screenshot, contentType: 'image/png' });

    // Close one tab of the two-tab instance: the other four drop it.
    const leaving = tabs[4]!;
    await leaving.page.close({ runBeforeUnload: true });
    const remaining = tabs.slice(0, 4);
    await waitForFullMesh(remaining, 15_000);
    for (const tab of remaining) await waitForDrawnTopology(tab.page, 4, 6, 15_000);
    const events = await snapshotEvents(remaining[0]!);
    expect(events).toContain(leaving.id);
    const after = await remaining[0]!.page.screenshot({
      path: testInfo.outputPath('dashboard-after-close.png'),
    });
    await testInfo.attach('dashboard-after-close', { body: after, contentType: 'image/png' });
  } finally {
    await closeAll(browsers);
  }
});

async function snapshotEvents(tab: MeshTab): Promise<string> {
  return tab.page
    .locator('[data-testid="event-row"][data-kind="link-down"]')
    .evaluateAll((rows) =>
      rows.map((row) => row.getAttribute('data-peer') ?? row.textContent ?? '').join('\n'),
    );
}

test('the signaling server keeps serving after a burst of malformed frames', async ({
  playwright,
  browserName,
  baseURL,
}, testInfo) => {
  const browserType = playwright[browserName];
  const wsUrl = (baseURL as string).replace(/^http/, 'ws') + '/';
  const socket = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const answers: string[] = [];
  socket.on('message', (data) => answers.push(String(data)));
  const garbage = [
    '{',
    'null',
    '[]',
    '{"type":"nope"}',
    '{"type":"subscribe","topics":"x"}',
    '\u0000\u0001',
    'x'.repeat(70_000),
  ];
  for (let i = 0; i < 100; i++) socket.send(garbage[i % garbage.length]!);
  socket.send(Buffer.from([1, 2, 3]));
  // Every bad frame gets an error answer (or the socket is closed for flooding): wait for some.
  await expect
    .poll(() => answers.filter((answer) => answer.includes('"error"')).length)
    .toBeGreaterThan(5);
  socket.terminate();

  const health = await fetch(`${baseURL}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok' });

  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const { browsers, tabs } = await openMesh(
    browserType,
    launchOptions,
    baseURL as string,
    `after-garbage-${Date.now()}`,
    [1, 1],
  );
  try {
    await waitForOpenLinks(tabs[0]!.page, [tabs[1]!.id]);
    await waitForOpenLinks(tabs[1]!.page, [tabs[0]!.id]);
  } finally {
    await closeAll(browsers);
  }
});
