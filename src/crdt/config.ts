import type { ReassemblyLimits } from '../core/wire/chunkReassembler';
import { DEFAULT_MAX_FRAME_BYTES } from '../core/wire/messages';
import type { OutboxLimits } from './outbox';

export interface DocSyncConfig {
  /** Every interval, state vectors are exchanged with one peer (round robin over a shuffle). */
  antiEntropyIntervalMs: number;
  /** Largest frame sent or accepted; larger messages travel in chunks. */
  maxFrameBytes: number;
  /** Largest Yjs update (or sync step 2) applied; larger ones are refused whole. */
  maxUpdateBytes: number;
  /** Largest awareness update. */
  maxAwarenessBytes: number;
  /** Presence states one peer may bring in (its own and those it relays). */
  maxAwarenessClientsPerPeer: number;
  outbox: OutboxLimits;
  reassembly: ReassemblyLimits;
}

export const DEFAULT_DOC_SYNC_CONFIG: DocSyncConfig = {
  antiEntropyIntervalMs: 2000,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxUpdateBytes: 16 * 1024 * 1024,
  maxAwarenessBytes: 64 * 1024,
  maxAwarenessClientsPerPeer: 64,
  outbox: { maxBufferedBytes: 512 * 1024, maxQueuedBytes: 32 * 1024 * 1024, retryMs: 4 },
  reassembly: { maxMessageBytes: 16 * 1024 * 1024 + 64, maxPendingMessages: 4, maxAgeMs: 30_000 },
};

export function resolveDocSyncConfig(overrides: Partial<DocSyncConfig> = {}): DocSyncConfig {
  const config = { ...DEFAULT_DOC_SYNC_CONFIG, ...overrides };
  if (config.antiEntropyIntervalMs < 100) throw new Error('antiEntropyIntervalMs below 100');
  if (config.maxFrameBytes < 1024) throw new Error('maxFrameBytes below 1024');
  if (config.reassembly.maxMessageBytes < config.maxUpdateBytes) {
    throw new Error('reassembly.maxMessageBytes must hold the largest update');
  }
  return config;
}
