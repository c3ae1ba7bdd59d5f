import { installDebugHook, type MeshDebugHook } from '../adapters/browser/debugHook';
import { dashboardWanted, meshOptionsFromLocation } from '../adapters/browser/meshOptions';
import { wallClock } from '../adapters/webrtc/wallClock';
import {
  startYWebrtcBridge,
  yjsBridgeRequested,
  type YWebrtcBridge,
} from '../adapters/browser/yWebrtcBridge';
import { createBrowserMesh } from '../api/browserMesh';
import { DEMO_KIND } from '../api/critical/builtinKinds';
import type { Mesh } from '../api/mesh';
import { decodeTileIterations } from '../core/tasks/kinds';
import type { SharedState } from '../crdt/sharedState';
import { memoryCommandsOf, memoryViewOf } from '../crdt/memoryView';
import { mountApp } from './components/mountApp';
import { createStoreFeed, pacedFrames } from './store/feed';
import { createMeshStore } from './store/meshStore';

/**
 * How often the dashboard samples the agent, and the least time between two of its renders: the
 * store applies a sample (and the events since the last) in the next animation frame after that.
 */
const SNAPSHOT_INTERVAL_MS = 500;

/** Composition root: the mesh from the public API on one side, the store and React on the other. */
async function main(): Promise<void> {
  const root = document.getElementById('root');
  if (root === null) throw new Error('index.html has no #root element');
  const store = createMeshStore();
  const feed = createStoreFeed(store, pacedFrames(SNAPSHOT_INTERVAL_MS));
  const dashboard = dashboardWanted(window.location);
  if (dashboard) mountApp(root, store);

  const mesh = await createBrowserMesh(window.location);
  mesh.onEvent((event) => feed.pushEvent(event));
  const page = window as {
    mesh?: Mesh;
    meshDebug?: MeshDebugHook;
    meshShared?: SharedState;
    meshYjsBridge?: YWebrtcBridge;
  };
  page.mesh = mesh;
  installDebugHook(page, mesh);
  page.meshShared = mesh.shared;
  store.getState().setCommands(mesh.commands);
  store.getState().setConsensusCommands({
    proposeDemo: async () => {
      const { seq, view } = await mesh.critical.propose({ kind: DEMO_KIND, by: 1 });
      return { seq, view };
    },
  });
  store.getState().setLedgerCommands({
    transferLeadership: (to) => mesh.ledger.transferLeadership(to),
  });
  store.getState().setTaskCommands({
    submit: (job) => mesh.tasks.submit(job),
    onAccepted: (listener) => mesh.tasks.onAccepted(listener),
    decodeTileIterations,
    nowMs: wallClock.nowMs,
  });
  store.getState().setMemoryCommands(memoryCommandsOf(mesh.shared));
  if (dashboard) {
    // The memory view rides with the snapshot: one store update and one render per sample
    // (twice a second is enough for TTL countdowns too).
    const sample = () => {
      feed.pushSnapshot(mesh.snapshot());
      feed.pushMemory(memoryViewOf(mesh.shared, wallClock.nowMs()));
    };
    sample();
    setInterval(sample, SNAPSHOT_INTERVAL_MS);
  }
  // Opt-in (?yjsBridge=1): stock y-webrtc clients in this room share the document through this
  // tab; their updates are unauthenticated (see yWebrtcBridge.ts).
  let bridge: YWebrtcBridge | null = null;
  if (yjsBridgeRequested(window.location)) {
    const options = meshOptionsFromLocation(window.location);
    void mesh.ready
      .then(() => startYWebrtcBridge(mesh.shared.doc, options))
      .then((started) => {
        bridge = started;
        page.meshYjsBridge = started;
      })
      .catch((error: unknown) => console.error('y-webrtc bridge failed to start', error));
  }
  // Say bye so peers drop this tab at once instead of waiting for the link timeout.
  window.addEventListener('pagehide', () => {
    bridge?.stop();
    mesh.leave();
  });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const banner = document.createElement('pre');
  banner.className = 'fatal';
  banner.setAttribute('data-testid', 'fatal-error');
  banner.textContent = `mesh-coordinator could not start: ${message}`;
  document.body.prepend(banner);
  console.error(error);
});
