import WebSocket from 'ws';
import type { SignalingSocket, SocketFactory } from '../webrtc/signalingClient';

/** The `ws` client has the WHATWG handler properties the signaling client uses. */
export const createNodeSocket: SocketFactory = (url) =>
  new WebSocket(url) as unknown as SignalingSocket;
