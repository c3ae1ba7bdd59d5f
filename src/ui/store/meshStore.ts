import { createStore, type StoreApi } from 'zustand/vanilla';
import type { MemoryView } from '../../crdt/memoryView';
import type { MeshSnapshot } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import { createChaosSlice, type ChaosSlice } from './chaosSlice';
import { createCommandsSlice, type CommandsSlice } from './commandsSlice';
import { createConsensusSlice, type ConsensusSlice } from './consensusSlice';
import { appendBounded, createEventsSlice, EVENT_LOG_LIMIT, type EventsSlice } from './eventsSlice';
import { createLedgerSlice, type LedgerSlice } from './ledgerSlice';
import { advanceLoadHistory } from './loadHistory';
import { createLoadHistorySlice, type LoadHistorySlice } from './loadHistorySlice';
import { createMemorySlice, type MemorySlice } from './memorySlice';
import { createSelectionSlice, type SelectionSlice } from './selectionSlice';
import { createSnapshotSlice, snapshotPatch, type SnapshotSlice } from './snapshotSlice';
import { createTasksSlice, type TasksSlice } from './tasksSlice';
import { createViewSlice, type ViewSlice } from './viewSlice';

/** What the feed hands the store once per animation frame. */
export interface FeedBatch {
  /** The newest snapshot pushed since the last frame, or null if none was. */
  snapshot: MeshSnapshot | null;
  /** Events pushed since the last frame, in push order. */
  events: readonly MeshEvent[];
  /** Events the feed itself had to drop (its pending buffer is bounded too). */
  eventsDroppedBeforeIngest: number;
  /** The newest view of the shared memory pushed since the last frame, when one was. */
  memory?: MemoryView | null;
}

export interface IngestSlice {
  /** Applies a whole batch as ONE store update, so subscribers render once per frame. */
  ingest(batch: FeedBatch): void;
}

export type MeshState = SnapshotSlice &
  EventsSlice &
  SelectionSlice &
  CommandsSlice &
  ChaosSlice &
  ViewSlice &
  MemorySlice &
  ConsensusSlice &
  LedgerSlice &
  TasksSlice &
  LoadHistorySlice &
  IngestSlice;
export type MeshStore = StoreApi<MeshState>;

export interface MeshStoreOptions {
  /** Newest events kept in the log (default EVENT_LOG_LIMIT = 500). */
  eventLimit?: number;
}

export function createMeshStore(options: MeshStoreOptions = {}): MeshStore {
  const eventLimit = options.eventLimit ?? EVENT_LOG_LIMIT;
  return createStore<MeshState>()((set, get, api) => ({
    ...createSnapshotSlice(set, get, api),
    ...createEventsSlice(eventLimit)(set, get, api),
    ...createSelectionSlice(set, get, api),
    ...createCommandsSlice(set, get, api),
    ...createChaosSlice(set, get, api),
    ...createViewSlice(set, get, api),
    ...createMemorySlice(set, get, api),
    ...createConsensusSlice(set, get, api),
    ...createLedgerSlice(set, get, api),
    ...createTasksSlice(set, get, api),
    ...createLoadHistorySlice(set, get, api),
    ingest: (batch) =>
      set((state) => {
        const log = appendBounded(state, batch.events, eventLimit, batch.eventsDroppedBeforeIngest);
        return {
          ...(batch.snapshot !== null
            ? {
                ...snapshotPatch(batch.snapshot),
                loadHistory: advanceLoadHistory(state.loadHistory, batch.snapshot),
              }
            : {}),
          ...(batch.memory != null ? { memory: batch.memory } : {}),
          events: log.events,
          droppedEvents: log.droppedEvents,
        };
      }),
  }));
}
