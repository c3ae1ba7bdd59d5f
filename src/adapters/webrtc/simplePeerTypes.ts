import type SimplePeer from 'simple-peer';

/** Builds a simple-peer instance; the browser passes the bundled build, Node one with wrtc. */
export type PeerFactory = (options: SimplePeer.Options) => SimplePeer.Instance;

/** simple-peer keeps its RTCPeerConnection on `_pc`; the handshake needs both SDPs from it. */
export function peerConnectionOf(peer: SimplePeer.Instance): RTCPeerConnection | null {
  const pc = (peer as unknown as { _pc?: RTCPeerConnection })._pc;
  return pc ?? null;
}
