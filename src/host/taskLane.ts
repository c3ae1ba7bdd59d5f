import { TASK_CHUNK_LANE_TYPE_CODE, TASK_LANE_TYPE_CODE } from '../core/wire/lanes';
import { DEFAULT_MAX_FRAME_BYTES } from '../core/wire/messages';
import { TASK_MESSAGE_MAX_BYTES } from '../core/wire/taskMessages';
import type { ChunkedTransportOptions } from './chunkedTransport';

/** The type codes of the tasks lane (host/frameLanes.ts): its messages and their chunks. */
export const TASK_LANE_TYPE_CODES: readonly number[] = [
  TASK_LANE_TYPE_CODE,
  TASK_CHUNK_LANE_TYPE_CODE,
];

/**
 * Task messages up to 512 KiB (a big result, a steal of large inputs) over data channels that
 * should carry at most 64 KiB per message. A message whose chunks stop for 10 s is of no use:
 * the submitter offers its tasks again by then.
 */
export const TASK_CHUNKING: Omit<ChunkedTransportOptions, 'clock'> = {
  chunkTypeCode: TASK_CHUNK_LANE_TYPE_CODE,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxMessageBytes: TASK_MESSAGE_MAX_BYTES + 2,
  maxPendingPerPeer: 8,
  maxAgeMs: 10_000,
};
