import type { MeshOptions } from '../webrtc/webRtcMesh';

const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Reads `?room=`, `?signaling=`, `?pingIntervalMs=` and `?ice=` (comma-separated STUN/TURN urls) or `?iceServers=`
 * (a JSON RTCIceServer list, for TURN credentials). Bad values fail loudly, not silently.
 */
export function meshOptionsFromLocation(location: Location): MeshOptions {
  const params = new URLSearchParams(location.search);
  const room = params.get('room') ?? 'default';
  if (!ROOM_PATTERN.test(room)) throw new Error(`room must match ${ROOM_PATTERN}`);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const signalingUrl = params.get('signaling') ?? `${scheme}//${location.host}/signal`;
  if (!/^wss?:\/\//.test(signalingUrl)) throw new Error('signaling must be a ws:// or wss:// URL');
  let iceServers: RTCIceServer[] = [];
  const ice = params.get('ice');
  const iceJson = params.get('iceServers');
  if (iceJson !== null) {
    const parsed: unknown = JSON.parse(iceJson);
    if (!Array.isArray(parsed)) throw new Error('iceServers must be a JSON array');
    iceServers = parsed as RTCIceServer[];
  } else if (ice !== null && ice !== '') {
    iceServers = [{ urls: ice.split(',').map((url) => url.trim()) }];
  }
  const links: MeshOptions['links'] = {};
  const pingIntervalMs = params.get('pingIntervalMs');
  if (pingIntervalMs !== null) {
    const value = Number(pingIntervalMs);
    if (!(Number.isInteger(value) && value >= 10 && value <= 5000)) {
      throw new Error('pingIntervalMs must be an integer from 10 to 5000 (below the link timeout)');
    }
    links.pingIntervalMs = value;
  }
  return { room, signalingUrl, iceServers, links, siblingChannel: true };
}

/**
 * `?ui=0` runs the agent without the dashboard (no rendering, no snapshots for it): a tab that
 * only takes part in the mesh, as the benches compare with a stock y-webrtc page.
 */
export function dashboardWanted(location: Location): boolean {
  return new URLSearchParams(location.search).get('ui') !== '0';
}
