import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../host/ports';
import { appendBounded, EVENT_LOG_LIMIT } from './eventsSlice';
import { createMeshStore } from './meshStore';

function events(from: number, count: number): MeshEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    atMs: from + i,
    level: 'info' as const,
    kind: 'k',
  }));
}

describe('event log bound', () => {
  it('keeps the newest 500 events in order and counts the dropped ones', () => {
    const store = createMeshStore();
    store.getState().appendEvents(events(0, 450));
    store.getState().appendEvents(events(450, 100));

    const { events: kept, droppedEvents } = store.getState();
    expect(EVENT_LOG_LIMIT).toBe(500);
    expect(kept).toHaveLength(500);
    expect(kept[0]?.atMs).toBe(50);
    expect(kept[499]?.atMs).toBe(549);
    expect(droppedEvents).toBe(50);
  });

  it('drops nothing below the limit', () => {
    const log = appendBounded({ events: [], droppedEvents: 0 }, events(0, 3), 5);
    expect(log.events.map((e) => e.atMs)).toEqual([0, 1, 2]);
    expect(log.droppedEvents).toBe(0);
  });

  it('adds events dropped upstream to the count', () => {
    const log = appendBounded({ events: events(0, 4), droppedEvents: 2 }, events(4, 3), 5, 7);
    expect(log.events.map((e) => e.atMs)).toEqual([2, 3, 4, 5, 6]);
    expect(log.droppedEvents).toBe(2 + 2 + 7);
  });

  it('returns the same state object when nothing changes', () => {
    const log = { events: events(0, 2), droppedEvents: 0 };
    expect(appendBounded(log, [], 5)).toBe(log);
  });
});
