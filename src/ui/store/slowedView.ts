import { startTransition } from 'react';
import type { MeshState, MeshStore } from './meshStore';

/** What the components read the store through (useMeshStore): the store or a slowed view of it. */
export type MeshStoreView = Pick<MeshStore, 'getState' | 'subscribe'>;

type Listener = (state: MeshState, previous: MeshState) => void;

/** The timers a slowed view needs; the defaults are the page's. */
export interface ViewTimers {
  after(callback: () => void, delayMs: number): unknown;
  cancel(handle: unknown): void;
}

const pageTimers: ViewTimers = {
  after: (callback, delayMs) => setTimeout(callback, delayMs),
  cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * A view of `store` whose reads are current but which tells its listeners of a change at most
 * once per `gapMs`, with the store's state at that moment, in a transition. The dashboard's
 * hidden tab panels read through one: they stay current enough for whoever reads their markup,
 * at a fraction of the renders, and a panel moved behind one never goes back to an older state.
 * It listens to the store only while it has listeners of its own.
 */
export function slowedView(
  store: MeshStoreView,
  gapMs: number,
  timers: ViewTimers = pageTimers,
): MeshStoreView {
  let told = store.getState();
  const listeners = new Set<Listener>();
  let pending: unknown = null;
  let stopListening: (() => void) | null = null;

  function publish(): void {
    pending = null;
    const previous = told;
    const next = store.getState();
    told = next;
    if (next === previous) return;
    startTransition(() => {
      for (const listener of [...listeners]) listener(next, previous);
    });
  }

  return {
    getState: () => store.getState(),
    subscribe(listener) {
      listeners.add(listener);
      if (stopListening === null) {
        told = store.getState();
        stopListening = store.subscribe(() => {
          if (pending === null) pending = timers.after(publish, gapMs);
        });
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0 || stopListening === null) return;
        stopListening();
        stopListening = null;
        if (pending !== null) timers.cancel(pending);
        pending = null;
      };
    },
  };
}
