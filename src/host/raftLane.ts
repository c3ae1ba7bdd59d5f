import { typeCodeOf } from '../core/wire/codec';
import { RAFT_MESSAGE_TYPES } from '../core/wire/raftMessages';

/**
 * The type codes of the Raft host's lane (host/frameLanes.ts). Every Raft frame fits one
 * data-channel message (core/wire/raftMessages.ts), so the lane needs no chunking.
 */
export const RAFT_LANE_TYPE_CODES: readonly number[] = RAFT_MESSAGE_TYPES.map(typeCodeOf);
