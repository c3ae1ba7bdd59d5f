import type { StateCreator } from 'zustand/vanilla';
import type { MeshEvent } from '../../host/ports';

/** How many events the log keeps; older ones are dropped and counted. */
export const EVENT_LOG_LIMIT = 500;

export interface EventLogState {
  /** Oldest first. The event at index i is the (droppedEvents + i)-th event ever logged. */
  events: readonly MeshEvent[];
  /** Events that fell off the front of the log (or were dropped before reaching it). */
  droppedEvents: number;
}

export interface EventsSlice extends EventLogState {
  appendEvents(events: readonly MeshEvent[]): void;
}

/**
 * Appends in order and keeps the newest `limit` events. `droppedUpstream` counts events lost
 * before they reached the log (the feed's own bound), so the total stays exact.
 */
export function appendBounded(
  log: EventLogState,
  added: readonly MeshEvent[],
  limit: number,
  droppedUpstream = 0,
): EventLogState {
  if (added.length === 0 && droppedUpstream === 0) return log;
  const combined = log.events.concat(added);
  const overflow = Math.max(0, combined.length - limit);
  return {
    events: overflow > 0 ? combined.slice(overflow) : combined,
    droppedEvents: log.droppedEvents + overflow + droppedUpstream,
  };
}

export function createEventsSlice(limit: number): StateCreator<EventsSlice> {
  return (set) => ({
    events: [],
    droppedEvents: 0,
    appendEvents: (events) => set((state) => appendBounded(state, events, limit)),
  });
}
