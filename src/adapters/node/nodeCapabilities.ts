import { availableParallelism, totalmem } from 'node:os';
import type { Capabilities } from '../../core/tasks/auction';

const BYTES_PER_GIB = 2 ** 30;

/** A Node agent's facts for task auctions, plus the tags it declares (`--tags`, say). */
export function nodeCapabilities(tags: readonly string[] = []): Capabilities {
  return {
    cores: availableParallelism(),
    // Rounded to 0.01 GiB: the auction compares it with whole-GiB minimums.
    memoryGb: Math.round((totalmem() / BYTES_PER_GIB) * 100) / 100,
    webgpu: false,
    tags: [...tags],
  };
}
