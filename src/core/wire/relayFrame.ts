import { isAgentId, type AgentId } from '../base/ids';
import { WIRE_VERSION } from './messages';
import { MAX_SIGNAL_JSON_BYTES, parseRoomSignal, type RoomSignal } from './roomSignals';

/**
 * Type code of a relayed room signal. Relay frames are the transport's own business (they carry
 * WebRTC offers between peers that have no link yet), so the transport handles them before the
 * host's codec; the code is outside the range the agent's codec uses.
 */
export const RELAY_TYPE_CODE = 0x20;

/** Largest relay frame: a bounded signal plus its envelope. */
export const MAX_RELAY_FRAME_BYTES = MAX_SIGNAL_JSON_BYTES + 512;

export interface RelayFrame {
  /** The agent the signal is for; the relaying peer forwards it only over a link to `to`. */
  to: AgentId;
  signal: RoomSignal;
}

export function isRelayFrame(frame: Uint8Array): boolean {
  return frame.length >= 2 && frame[0] === WIRE_VERSION && frame[1] === RELAY_TYPE_CODE;
}

export function encodeRelayFrame(relay: RelayFrame): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(relay));
  const frame = new Uint8Array(body.length + 2);
  frame[0] = WIRE_VERSION;
  frame[1] = RELAY_TYPE_CODE;
  frame.set(body, 2);
  return frame;
}

export type RelayDecodeResult = { ok: true; relay: RelayFrame } | { ok: false; reason: string };

/** Never throws. */
export function decodeRelayFrame(frame: Uint8Array): RelayDecodeResult {
  if (!isRelayFrame(frame)) return { ok: false, reason: 'not a relay frame' };
  if (frame.length > MAX_RELAY_FRAME_BYTES) return { ok: false, reason: 'relay frame too large' };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(2)));
  } catch {
    return { ok: false, reason: 'relay body is not JSON' };
  }
  if (typeof body !== 'object' || body === null)
    return { ok: false, reason: 'relay body is not an object' };
  const { to, signal } = body as Record<string, unknown>;
  if (!isAgentId(to)) return { ok: false, reason: 'relay target is not an agent id' };
  const parsed = parseRoomSignal(signal);
  if (!parsed.ok) return { ok: false, reason: `relayed signal: ${parsed.reason}` };
  return { ok: true, relay: { to, signal: parsed.signal } };
}
