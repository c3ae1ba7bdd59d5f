import { expect, test } from '@playwright/test';
import { createNodePeer } from '../src/adapters/node/nodePeer';
import { createNodeSocket } from '../src/adapters/node/nodeSocket';
import { generateIdentity } from '../src/adapters/webrtc/identity';
import { WebRtcMesh } from '../src/adapters/webrtc/webRtcMesh';
import { wallClock } from '../src/adapters/webrtc/wallClock';
import { fileDocPersistence } from '../src/adapters/node/fileDocPersistence';
import { createSeededPrng } from '../src/core/base/prng';
import { CRDT_LANE_TYPE_CODE } from '../src/core/wire/lanes';
import { SharedState } from '../src/crdt/sharedState';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { closeAll, openMesh, waitForDrawnTopology, waitForOpenLinks } from './mesh';

test('a Node agent joins two browser tabs in one mesh and shares their document, kept in its file', async ({
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
  const stateFile = join(mkdtempSync(join(tmpdir(), 'node-agent-')), 'state.bin');
  const shared = new SharedState({
    room,
    selfId: identity.id,
    transport: nodeAgent.openLane(CRDT_LANE_TYPE_CODE),
    clock: wallClock,
    random: createSeededPrng(7),
    persistence: fileDocPersistence(stateFile),
  });
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

    // The shared document flows both ways between the tabs and the Node agent.
    await shared.memory.store('demo', 'from-node', 'hello tabs');
    for (const tab of tabs) {
      await tab.page.waitForFunction(
        () => window.meshShared?.memory.retrieve('demo', 'from-node')?.value === 'hello tabs',
      );
    }
    await tabs[1]!.page.evaluate(() => window.meshShared?.memory.store('demo', 'from-tab', 42));
    await expect.poll(() => shared.memory.retrieve('demo', 'from-tab')?.value).toBe(42);
    shared.stop();
    const reloaded = new Y.Doc();
    void fileDocPersistence(stateFile)(reloaded).destroy();
    expect(Object.keys(reloaded.getMap('memory').toJSON()).length).toBeGreaterThanOrEqual(2);
  } finally {
    shared.stop();
    nodeAgent.leave();
    await closeAll(browsers);
  }
});
