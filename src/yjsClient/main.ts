import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';

/**
 * A stock y-webrtc client: a Y.Doc and the npm package's `WebrtcProvider`, nothing of ours.
 * It exists to prove (e2e/yjs-interop.spec.ts) and measure (src/bench/browserDocBench.ts) that
 * the mesh's document is reachable from y-webrtc through a bridge tab (`?yjsBridge=1`).
 *
 * Query: `room` (default `default`), `signaling` (default `ws(s)://<page host>/signal`, the
 * server the mesh uses), `ice` (comma-separated STUN/TURN URLs; default none, host candidates
 * only, as the mesh does without `?ice=`).
 */
export interface YjsClientHook {
  doc: Y.Doc;
  provider: WebrtcProvider;
  /** Stock peers linked over WebRTC. */
  peerCount(): number;
}

declare global {
  interface Window {
    yjsClient?: YjsClientHook;
  }
}

const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

function start(): void {
  const params = new URLSearchParams(window.location.search);
  const room = params.get('room') ?? 'default';
  if (!ROOM_PATTERN.test(room)) throw new Error(`room must match ${ROOM_PATTERN}`);
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const signaling = params.get('signaling') ?? `${scheme}//${window.location.host}/signal`;
  const ice = params.get('ice');
  const iceServers =
    ice === null || ice === '' ? [] : [{ urls: ice.split(',').map((url) => url.trim()) }];

  const doc = new Y.Doc();
  const provider = new WebrtcProvider(room, doc, {
    signaling: [signaling],
    peerOpts: { config: { iceServers } },
  });
  window.yjsClient = { doc, provider, peerCount: () => provider.room?.webrtcConns.size ?? 0 };

  const status = document.getElementById('status');
  let drawing = false;
  const draw = (): void => {
    drawing = false;
    if (status === null) return;
    const entries = Object.fromEntries(doc.getMap('interop').entries());
    status.textContent = `room ${room}\nsignaling ${signaling}\nwebrtc peers ${
      window.yjsClient?.peerCount() ?? 0
    }\ninterop ${JSON.stringify(entries)}`;
  };
  // At most once a frame, so the status line costs nothing measurable per update.
  const show = (): void => {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(draw);
  };
  provider.on('peers', show);
  doc.on('update', show);
  draw();
}

try {
  start();
} catch (error) {
  const banner = document.createElement('pre');
  banner.setAttribute('data-testid', 'fatal-error');
  banner.textContent = `yjs client could not start: ${error instanceof Error ? error.message : String(error)}`;
  document.body.prepend(banner);
  console.error(error);
}
