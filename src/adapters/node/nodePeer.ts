import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import type { PeerFactory } from '../webrtc/simplePeerTypes';

const implementation = {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
};

/** simple-peer over @roamhq/wrtc, the native WebRTC build for Node. */
export const createNodePeer: PeerFactory = (options) =>
  new SimplePeer({ ...options, wrtc: implementation });
