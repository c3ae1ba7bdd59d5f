import type { WebrtcProvider } from 'y-webrtc';
import type * as Y from 'yjs';

/**
 * A bridge between the mesh's shared document and stock y-webrtc clients (the npm package,
 * unchanged) in the same room.
 *
 * Why a bridge: a stock client cannot join the mesh itself. The mesh's signals travel on topic
 * `mesh-coordinator/<room>`, and every mesh data channel must carry a signed `hello` bound to
 * both DTLS fingerprints before any frame reaches the agent; y-webrtc knows neither. So a tab
 * opened with `?yjsBridge=1` additionally runs a stock `WebrtcProvider` on the mesh's own Y.Doc,
 * on topic `<room>` of the same signaling server. Yjs does the rest:
 *
 * - an update that arrives from a stock peer is applied to the doc with y-webrtc's room as its
 *   origin; the mesh's DocSync treats every origin but its own links as a local write and sends
 *   it to all mesh links, so every mesh tab gets it;
 * - an update that arrives over the mesh is applied by DocSync; y-webrtc broadcasts every doc
 *   update whatever its origin, so the stock peers get it. Initial state goes both ways by
 *   y-protocols' sync steps on each side.
 *
 * THE TRADE: updates entering through the bridge come from unauthenticated peers. Anyone who
 * can reach the signaling server and names the room can write to the shared document, and the
 * bridge tab re-sends the write into the mesh as if it were its own: mesh peers cannot tell it
 * from the bridge tab's writes (Yjs updates carry a client id, not a signature). The mesh's
 * authentication still holds for everything else (membership, links, agreement); the document
 * becomes as open as a y-webrtc room. Use it only in a room whose document you are willing to
 * share that way (y-webrtc's `password` would close the room to outsiders, but then it is no
 * longer a stock client pointed at the room as it is). A tab without the parameter never opens
 * the bridge, and one bridge tab in a room suffices (more are harmless: Yjs updates are
 * idempotent).
 *
 * LIMIT (y-webrtc's, not the mesh's): y-webrtc sends every message whole on the data channel
 * and drops a send that fails without a word. Chromium refuses messages over the channel's
 * max-message-size (262,144 bytes, measured), so a stock peer whose missing state encodes to
 * more than about 256 KiB never receives its sync step 2, from the bridge or from another stock
 * peer; updates smaller than that still flow live. (Measured: two stock pages holding a
 * 1,000,000-char Y.Text, a third stock page did not sync within 15 s; at 100,000 chars it did.)
 * The mesh's own links chunk large messages, so mesh tabs are not affected.
 *
 * Awareness (presence) is kept apart: the provider gets its own Awareness instance (y-webrtc's
 * default), so stock peers' presence does not enter the mesh's awareness and the mesh's
 * presence does not leave it.
 */
export interface YWebrtcBridgeOptions {
  /** The mesh's room name; stock clients use it as their y-webrtc room (signaling topic). */
  room: string;
  /** The signaling server the page uses (any path works on our server). */
  signalingUrl: string;
  /** The ICE servers the mesh uses; empty = host candidates only. */
  iceServers: RTCIceServer[];
}

export interface YWebrtcBridge {
  readonly provider: WebrtcProvider;
  /** Stock peers currently linked over WebRTC. */
  peerCount(): number;
  stop(): void;
}

/** True when the page asked for the bridge with `?yjsBridge=1` (or `true`). */
export function yjsBridgeRequested(location: Location): boolean {
  const value = new URLSearchParams(location.search).get('yjsBridge');
  return value === '1' || value === 'true';
}

/**
 * Starts a stock y-webrtc provider on `doc`. Only one per room name per page (y-webrtc's rule).
 * y-webrtc is loaded on demand, so tabs without the bridge never download it.
 */
export async function startYWebrtcBridge(
  doc: Y.Doc,
  options: YWebrtcBridgeOptions,
): Promise<YWebrtcBridge> {
  const { WebrtcProvider } = await import('y-webrtc');
  const provider = new WebrtcProvider(options.room, doc, {
    signaling: [options.signalingUrl],
    peerOpts: { config: { iceServers: options.iceServers } },
  });
  return {
    provider,
    peerCount: () => provider.room?.webrtcConns.size ?? 0,
    stop: () => provider.destroy(),
  };
}
