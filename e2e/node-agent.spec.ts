import { expect, test } from '@playwright/test';
import { createNodePeer } from '../src/adapters/node/nodePeer';
import { createNodeSocket } from '../src/adapters/node/nodeSocket';
import { FileRecordStore } from '../src/adapters/node/fileRecordStore';
import { memoryRecordStore } from '../src/host/recordStore';
import { generateIdentity } from '../src/adapters/webrtc/identity';
import { fileDocPersistence } from '../src/adapters/node/fileDocPersistence';
import { createMesh } from '../src/api/createMesh';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { createNodeTaskRunner } from '../src/adapters/node/nodeTaskRunner';
import { nodeCapabilities } from '../src/adapters/node/nodeCapabilities';
import { closeAll, openMesh, waitForDrawnTopology, waitForOpenLinks } from './mesh';
import { expectLogsMatch, propose, waitForReplicas } from './consensus';

test('a Node agent joins three browser tabs in one mesh: it shares their document, kept in its file, and is one of their four pBFT replicas', async ({
  playwright,
  browserName,
  baseURL,
}, testInfo) => {
  const room = `node-and-tabs-${Date.now()}`;
  const { identity } = await generateIdentity();
  const signalingUrl = `${(baseURL as string).replace(/^http/, 'ws')}/signal`;
  const folder = mkdtempSync(join(tmpdir(), 'node-agent-'));
  const stateFile = join(folder, 'state.bin');
  const pbftFile = join(folder, 'pbft.log');
  const opened: { storage?: FileRecordStore } = {};
  // The Node agent's composition root does the same (src/adapters/node/main.ts).
  const nodeAgent = await createMesh({
    room,
    signalingUrl,
    iceServers: [],
    links: {},
    identity,
    platform: {
      createPeer: createNodePeer,
      createSocket: createNodeSocket,
      docPersistence: fileDocPersistence(stateFile),
      openRecordStore: async (_room, _selfId, name) =>
        name === 'pbft' ? (opened.storage = new FileRecordStore(pbftFile)) : memoryRecordStore(),
      randomSeed: () => 7,
      createTaskRunner: (selfId) => createNodeTaskRunner({ agent: selfId, workers: 1 }),
      capabilities: () => nodeCapabilities(),
      resolveKindUrl: (url) => url,
      acceptsKindUrl: () => false,
    },
  });
  const launchOptions = testInfo.project.use.launchOptions ?? {};
  const { browsers, tabs } = await openMesh(
    playwright[browserName],
    launchOptions,
    baseURL as string,
    room,
    [1, 1, 1],
  );
  try {
    const ids = [...tabs.map((tab) => tab.id), nodeAgent.id];
    for (const tab of tabs)
      await waitForOpenLinks(
        tab.page,
        ids.filter((id) => id !== tab.id),
      );
    for (const tab of tabs) await waitForDrawnTopology(tab.page, 4, 6);
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
      tabs[0]!.page.locator(`[data-testid="topology-node"][data-agent-id="${nodeAgent.id}"]`),
    ).toHaveCount(1);

    // The shared document flows both ways between the tabs and the Node agent.
    await nodeAgent.memory.store('demo', 'from-node', 'hello tabs');
    for (const tab of tabs) {
      await tab.page.waitForFunction(
        () => window.meshShared?.memory.retrieve('demo', 'from-node')?.value === 'hello tabs',
      );
    }
    await tabs[1]!.page.evaluate(() => window.meshShared?.memory.store('demo', 'from-tab', 42));
    await expect.poll(() => nodeAgent.memory.retrieve('demo', 'from-tab')?.value).toBe(42);

    // The four agents form one replica set; the Node agent proposes and votes like a tab.
    for (const tab of tabs) await waitForReplicas(tab.page, 4);
    await expect.poll(() => nodeAgent.critical.status().n).toBe(4);
    const fromNode = await nodeAgent.critical.propose({ kind: 'demo.increment', by: 5 });
    expect(fromNode.result).toEqual({ value: 5 });
    expect(await propose(tabs[0]!.page, 2)).toMatchObject({ ok: true });
    await expectLogsMatch(tabs, 2);
    await expect
      .poll(() =>
        nodeAgent.critical.log().map((entry) => `${entry.seq}.${entry.index} ${entry.digest}`),
      )
      .toEqual(
        await tabs[2]!.page.evaluate(() =>
          (window.mesh?.critical.log() ?? []).map(
            (entry) => `${entry.seq}.${entry.index} ${entry.digest}`,
          ),
        ),
      );
    // Its replica's records went to its file before it voted.
    expect(opened.storage!.records.get('genesis')).toContain('decided');
    expect([...opened.storage!.records.keys()].some((key) => key.startsWith('slot:'))).toBe(true);

    nodeAgent.shared.stop();
    const reloaded = new Y.Doc();
    void fileDocPersistence(stateFile)(reloaded).destroy();
    expect(Object.keys(reloaded.getMap('memory').toJSON()).length).toBeGreaterThanOrEqual(2);
  } finally {
    nodeAgent.leave();
    opened.storage?.close();
    await closeAll(browsers);
  }
});
