import {
  TASK_MAX_PER_MESSAGE,
  TASK_MESSAGE_MAX_BYTES,
  type OfferedTask,
} from '../wire/taskMessages';

/** Room left in a message for everything but the inputs (ids, numbers, JSON punctuation). */
const PER_TASK_OVERHEAD_BYTES = 128;

/**
 * Cuts offered tasks into messages: TASK_MAX_PER_MESSAGE each at most, and inputs of half the
 * message limit at most (an input is counted by its UTF-16 length times 3, an upper bound of
 * its UTF-8 bytes, JSON escapes aside), so every batch encodes.
 */
export function offerBatches(tasks: readonly OfferedTask[]): OfferedTask[][] {
  const batches: OfferedTask[][] = [];
  let batch: OfferedTask[] = [];
  let bytes = 0;
  for (const task of tasks) {
    const size = task.input.length * 3 + PER_TASK_OVERHEAD_BYTES;
    if (
      batch.length > 0 &&
      (batch.length >= TASK_MAX_PER_MESSAGE || bytes + size > TASK_MESSAGE_MAX_BYTES / 2)
    ) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(task);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
