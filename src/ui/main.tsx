import { createBrowserPeer } from '../adapters/browser/browserPeer';
import { installDebugHook, type MeshDebugHook } from '../adapters/browser/debugHook';
import { loadOrCreateTabIdentity } from '../adapters/browser/tabIdentity';
import { dashboardWanted, meshOptionsFromLocation } from '../adapters/browser/meshOptions';
import { indexedDbPersistence } from '../adapters/browser/indexedDbPersistence';
import { wallClock } from '../adapters/webrtc/wallClock';
import { WebRtcMesh } from '../adapters/webrtc/webRtcMesh';
import {
  startYWebrtcBridge,
  yjsBridgeRequested,
  type YWebrtcBridge,
} from '../adapters/browser/yWebrtcBridge';
import { createSeededPrng } from '../core/base/prng';
import { CRDT_LANE_TYPE_CODE } from '../core/wire/lanes';
import { memoryCommandsOf, memoryViewOf } from '../crdt/memoryView';
import { SharedState } from '../crdt/sharedState';
import { mountApp } from './components/mountApp';
import { createStoreFeed } from './store/feed';
import { createMeshStore } from './store/meshStore';

/** How often the dashboard samples the agent; the store applies it on the next animation frame. */
const SNAPSHOT_INTERVAL_MS = 250;

/** Composition root: adapters, host and agent on one side, the store and React on the other. */
async function main(): Promise<void> {
  const root = document.getElementById('root');
  if (root === null) throw new Error('index.html has no #root element');
  const store = createMeshStore();
  const feed = createStoreFeed(store);
  const dashboard = dashboardWanted(window.location);
  if (dashboard) mountApp(root, store);

  const options = meshOptionsFromLocation(window.location);
  const identity = await loadOrCreateTabIdentity();
  const mesh = new WebRtcMesh(identity, options, createBrowserPeer);
  mesh.onEvent((event) => feed.pushEvent(event));
  store.getState().setCommands(mesh.commands);
  mesh.start();
  if (dashboard) {
    feed.pushSnapshot(mesh.snapshot());
    setInterval(() => feed.pushSnapshot(mesh.snapshot()), SNAPSHOT_INTERVAL_MS);
  }
  installDebugHook(window as { meshDebug?: MeshDebugHook }, mesh);

  const shared = new SharedState({
    room: options.room,
    selfId: identity.id,
    transport: mesh.openLane(CRDT_LANE_TYPE_CODE),
    clock: wallClock,
    random: createSeededPrng(crypto.getRandomValues(new Uint32Array(1))[0] as number),
    observer: { onEvent: (event) => feed.pushEvent(event) },
    persistence: indexedDbPersistence(options.room),
    meshSnapshot: () => mesh.snapshot(),
    awareness: true,
  });
  shared.awareness?.setLocalState({ agent: identity.id });
  (window as { meshShared?: SharedState }).meshShared = shared;
  // Opt-in (?yjsBridge=1): stock y-webrtc clients in this room share the document through this
  // tab; their updates are unauthenticated (see yWebrtcBridge.ts).
  let bridge: YWebrtcBridge | null = null;
  if (yjsBridgeRequested(window.location)) {
    void shared.ready
      .then(() => startYWebrtcBridge(shared.doc, options))
      .then((started) => {
        bridge = started;
        (window as { meshYjsBridge?: YWebrtcBridge }).meshYjsBridge = started;
      })
      .catch((error: unknown) => console.error('y-webrtc bridge failed to start', error));
  }
  store.getState().setMemoryCommands(memoryCommandsOf(shared));
  // Twice a second: enough for TTL countdowns; changes are coalesced into the next push.
  if (dashboard) {
    setInterval(() => store.getState().setMemory(memoryViewOf(shared, wallClock.nowMs())), 500);
  }
  // Say bye so peers drop this tab at once instead of waiting for the link timeout.
  window.addEventListener('pagehide', () => {
    bridge?.stop();
    shared.stop();
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
