import { typeCodeOf } from '../core/wire/codec';
import { PBFT_CHUNK_LANE_TYPE_CODE } from '../core/wire/lanes';
import { DEFAULT_MAX_FRAME_BYTES } from '../core/wire/messages';
import { PBFT_MAX_MESSAGE_BYTES, PBFT_MESSAGE_TYPES } from '../core/wire/pbftMessages';
import type { ChunkedTransportOptions } from './chunkedTransport';

/** The type codes of the pBFT host's lane (host/frameLanes.ts): its messages and their chunks. */
export const PBFT_LANE_TYPE_CODES: readonly number[] = [
  ...PBFT_MESSAGE_TYPES.map(typeCodeOf),
  PBFT_CHUNK_LANE_TYPE_CODE,
];

/**
 * pBFT frames (up to 1 MiB) over data channels that should carry at most 64 KiB per message.
 * Ten seconds is longer than the longest view-change timeout (8 s by default): a frame slower
 * than that is of no use.
 */
export const PBFT_CHUNKING: Omit<ChunkedTransportOptions, 'clock'> = {
  chunkTypeCode: PBFT_CHUNK_LANE_TYPE_CODE,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxMessageBytes: PBFT_MAX_MESSAGE_BYTES,
  maxPendingPerPeer: 4,
  maxAgeMs: 10_000,
};
