import { isAgentId, type AgentId } from '../base/ids';

/** Largest WebRTC signal (SDP or candidate) relayed for a peer, as JSON text. */
export const MAX_SIGNAL_JSON_BYTES = 16 * 1024;

/** "I am here": lower ids initiate, so a higher id answers with an announce addressed `to` it. */
export interface AnnounceSignal {
  type: 'announce';
  from: AgentId;
  to?: AgentId;
  nonce?: string;
}

/** An offer, answer or ICE candidate for one peer, relayed by the signaling server or a peer. */
export interface WebRtcSignal {
  type: 'signal';
  from: AgentId;
  to: AgentId;
  signal: unknown;
  /** Set by senders that send one signal over several paths, so receivers drop the copies. */
  nonce?: string;
}

export type RoomSignal = AnnounceSignal | WebRtcSignal;

const NONCE_PATTERN = /^[0-9a-f]{8,32}$/;

export type RoomSignalResult = { ok: true; signal: RoomSignal } | { ok: false; reason: string };

/** Validates the `data` of a publish in a mesh room. Never throws. */
export function parseRoomSignal(data: unknown): RoomSignalResult {
  if (typeof data !== 'object' || data === null) return { ok: false, reason: 'not an object' };
  const fields = data as Record<string, unknown>;
  if (!isAgentId(fields['from'])) return { ok: false, reason: 'from is not an agent id' };
  const from = fields['from'];
  const nonceField = fields['nonce'];
  if (
    nonceField !== undefined &&
    !(typeof nonceField === 'string' && NONCE_PATTERN.test(nonceField))
  ) {
    return { ok: false, reason: 'nonce must be 8-32 hex digits' };
  }
  const nonce = nonceField === undefined ? {} : { nonce: nonceField };
  if (fields['type'] === 'announce') {
    const to = fields['to'];
    if (to === undefined) return { ok: true, signal: { type: 'announce', from, ...nonce } };
    if (!isAgentId(to)) return { ok: false, reason: 'to is not an agent id' };
    return { ok: true, signal: { type: 'announce', from, to, ...nonce } };
  }
  if (fields['type'] === 'signal') {
    const to = fields['to'];
    if (!isAgentId(to)) return { ok: false, reason: 'to is not an agent id' };
    const signal = fields['signal'];
    if (typeof signal !== 'object' || signal === null)
      return { ok: false, reason: 'signal is not an object' };
    let json: string;
    try {
      json = JSON.stringify(signal);
    } catch {
      return { ok: false, reason: 'signal is not serialisable' };
    }
    if (json.length > MAX_SIGNAL_JSON_BYTES) return { ok: false, reason: 'signal too large' };
    return { ok: true, signal: { type: 'signal', from, to, signal, ...nonce } };
  }
  return { ok: false, reason: 'unknown room signal type' };
}
