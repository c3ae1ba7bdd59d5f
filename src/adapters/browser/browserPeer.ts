import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerFactory } from '../webrtc/simplePeerTypes';

/** simple-peer over the browser's own RTCPeerConnection. */
export const createBrowserPeer: PeerFactory = (options) => new SimplePeer(options);
