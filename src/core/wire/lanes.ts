import { WIRE_VERSION } from './messages';

/**
 * Type codes of frames that bypass the agent's codec and go to another component sharing the
 * same links (see host/frameLanes.ts). Outside the codes the agent's codec and the relay use;
 * a lane may also claim codec codes it decodes itself (the pBFT host, codes 33-47).
 */
export const CRDT_LANE_TYPE_CODE = 0x30;
/** Chaos commands and their acks, flooded over the mesh beside the signaling server. */
export const CHAOS_LANE_TYPE_CODE = 0x31;
/** Chunks of pBFT frames larger than a data-channel message (host/chunkedTransport.ts). */
export const PBFT_CHUNK_LANE_TYPE_CODE = 0x32;

/** The lane a frame belongs to: its type code when it is a lane's, else null (the agent's). */
export function laneOf(frame: Uint8Array, laneCodes: ReadonlySet<number>): number | null {
  if (frame.length < 2 || frame[0] !== WIRE_VERSION) return null;
  const code = frame[1] as number;
  return laneCodes.has(code) ? code : null;
}
/** Task distribution's messages (core/wire/taskMessages.ts). */
export const TASK_LANE_TYPE_CODE = 0x33;
/** Chunks of task messages larger than a data-channel message (a big input or result). */
export const TASK_CHUNK_LANE_TYPE_CODE = 0x34;
