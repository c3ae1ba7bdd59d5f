import { describe, expect, it } from 'vitest';
import { createMeshStore } from './meshStore';
import { slowedView, type ViewTimers } from './slowedView';

function manualTimers() {
  let nowMs = 0;
  let next = 0;
  const due = new Map<number, { atMs: number; callback: () => void }>();
  const timers: ViewTimers = {
    after: (callback, delayMs) => {
      due.set(next, { atMs: nowMs + delayMs, callback });
      return next++;
    },
    cancel: (handle) => void due.delete(handle as number),
  };
  return {
    timers,
    waiting: () => due.size,
    advance(ms: number) {
      nowMs += ms;
      for (const [handle, timer] of [...due]) {
        if (timer.atMs > nowMs) continue;
        due.delete(handle);
        timer.callback();
      }
    },
  };
}

describe('slowedView', () => {
  it('tells its listeners once per gap, with the newest state', () => {
    const store = createMeshStore();
    const clock = manualTimers();
    const view = slowedView(store, 1000, clock.timers);
    const seen: string[] = [];
    view.subscribe((state) => seen.push(state.activeTab ?? 'none'));

    store.getState().setActiveTab('events');
    store.getState().setActiveTab('raft');
    expect(seen).toEqual([]);
    expect(view.getState().activeTab).toBe('raft');
    clock.advance(999);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual(['raft']);
    expect(view.getState()).toBe(store.getState());

    clock.advance(5000);
    expect(seen).toEqual(['raft']);
  });

  it('listens to the store only while it has listeners', () => {
    const store = createMeshStore();
    const clock = manualTimers();
    const view = slowedView(store, 1000, clock.timers);
    const stop = view.subscribe(() => undefined);
    store.getState().setActiveTab('events');
    expect(clock.waiting()).toBe(1);
    stop();
    expect(clock.waiting()).toBe(0);

    store.getState().setActiveTab('memory');
    expect(clock.waiting()).toBe(0);
    const seen: string[] = [];
    view.subscribe((state, previous) => seen.push(`${previous.activeTab} -> ${state.activeTab}`));
    store.getState().setActiveTab('raft');
    clock.advance(1000);
    // Told from the state it had when it started listening again, not from before it stopped.
    expect(seen).toEqual(['memory -> raft']);
  });
});
