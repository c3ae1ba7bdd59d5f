import type { MemoryEntry } from './memory/memoryIndex';
import type { PeerSyncView } from './docSync';
import type { SharedState } from './sharedState';

/** Entries the dashboard holds at most (a search narrows the rest). */
export const MEMORY_VIEW_LIMIT = 500;

/** What the dashboard shows of the shared state, as plain data. */
export interface MemoryView {
  nowMs: number;
  namespaces: { namespace: string; count: number }[];
  entries: MemoryEntry[];
  /** More entries exist than `entries` holds. */
  truncated: boolean;
  peers: PeerSyncView[];
  rejectedUpdates: number;
}

/** The memory actions the dashboard may take. */
export interface MemoryCommands {
  store(namespace: string, key: string, value: unknown, ttlSeconds: number | null): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
}

export function memoryViewOf(shared: SharedState, nowMs: number): MemoryView {
  const namespaces = shared.memory.namespaces();
  const total = namespaces.reduce((sum, n) => sum + n.count, 0);
  return {
    nowMs,
    namespaces,
    entries: shared.memory.search({ limit: MEMORY_VIEW_LIMIT }),
    truncated: total > MEMORY_VIEW_LIMIT,
    peers: shared.sync.peerStates(),
    rejectedUpdates: shared.sync.stats.rejected,
  };
}

export function memoryCommandsOf(shared: SharedState): MemoryCommands {
  return {
    store: async (namespace, key, value, ttlSeconds) => {
      await shared.memory.store(namespace, key, value, { ttlSeconds });
    },
    delete: async (namespace, key) => {
      await shared.memory.delete(namespace, key);
    },
  };
}
