import { expect, test } from '@playwright/test';
import { createNodePeer } from '../src/adapters/node/nodePeer';
import { createNodeSocket } from '../src/adapters/node/nodeSocket';
import { generateIdentity } from '../src/adapters/webrtc/identity';
import { WebRtcMesh } from '../src/adapters/webrtc/webRtcMesh';
import { openMesh, waitForDrawnTopology, waitForOpenLinks } from './mesh';

test('a Node agent joins two browser tabs in one mesh', async ({
  playwright,
  browserName,
  baseURL,
}, testInfo) => {
  const room = `node-and-tabs-${Date.now()}`;
  const { identity } = await generateIdentity();
  const signalingUrl = `${(baseURL as string).replace(/^http/, 'ws')}/signal`;
  const nodeAgent = new WebRtcMesh(
    identity,
    { room, signalingUrl, iceServers: [], links: {} },
    createNodePeer,
    createNodeSocket,
  );
  nodeAgent.start();
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const { browsers, tabs } = await openMesh(
    playwright[browserName],
    launchOptions,
    baseURL as string,
    room,
    [1, 1],
  );
  try {
    const ids = [...tabs.map((tab) => tab.id), nodeAgent.selfId];
    for (const tab of tabs)
      await waitForOpenLinks(
        tab.page,
        ids.filter((id) => id !== tab.id),
      );
    for (const tab of tabs) await waitForDrawnTopology(tab.page, 3, 3);
    await expect
      .poll(() =>
        nodeAgent
          .snapshot()
          .links.filter((link) => link.state === 'open')
          .map((link) => link.peer)
          .sort(),
      )
      .toEqual(tabs.map((tab) => tab.id).sort());
    await expect(
      tabs[0]!.page.locator(`[data-testid="topology-node"][data-agent-id="${nodeAgent.selfId}"]`),
    ).toHaveCount(1);
  } finally {
    nodeAgent.leave();
    await Promise.all(browsers.map((browser) => browser.close()));
  }
});
