import { startTransition } from 'react';
import type { MemoryView } from '../../crdt/memoryView';
import type { MeshSnapshot } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import { EVENT_LOG_LIMIT } from './eventsSlice';
import type { MeshStore } from './meshStore';

/** Runs the callback before the next paint (requestAnimationFrame in the browser). */
export type FrameScheduler = (callback: () => void) => unknown;

export interface StoreFeed {
  /** Keeps only the newest snapshot until the next frame. */
  pushSnapshot(snapshot: MeshSnapshot): void;
  /** Queues an event; all events queued between frames are appended in order. */
  pushEvent(event: MeshEvent): void;
  /** Keeps only the newest memory view until the next frame, applied with the snapshot. */
  pushMemory(view: MemoryView): void;
}

/** What `pacedFrames` needs of the page; the defaults are the browser's. */
export interface PacingPorts {
  nowMs(): number;
  frame(callback: () => void): unknown;
  after(callback: () => void, delayMs: number): unknown;
}

const browserPacing: PacingPorts = {
  nowMs: () => performance.now(),
  frame: (callback) => requestAnimationFrame(() => callback()),
  after: (callback, delayMs) => setTimeout(callback, delayMs),
};

/** The next animation frame. */
const defaultScheduler: FrameScheduler = browserPacing.frame;

/**
 * A FrameScheduler that runs each callback in the first animation frame at least `minGapMs`
 * after the previous one ran. The dashboard changes no faster than the eye can follow, and a
 * burst of events between two snapshots costs one render, not one per frame.
 */
export function pacedFrames(minGapMs: number, ports: PacingPorts = browserPacing): FrameScheduler {
  let lastRunMs = Number.NEGATIVE_INFINITY;
  return (callback) => {
    const inFrame = () =>
      ports.frame(() => {
        lastRunMs = ports.nowMs();
        callback();
      });
    const waitMs = lastRunMs + minGapMs - ports.nowMs();
    if (waitMs > 0) ports.after(inFrame, waitMs);
    else inFrame();
  };
}

/**
 * Coalesces host output into at most one store update per animation frame. The pending event
 * buffer is bounded as well (a hidden tab gets no frames), so memory stays flat.
 */
export function createStoreFeed(
  store: MeshStore,
  scheduleFrame: FrameScheduler = defaultScheduler,
  maxPendingEvents: number = EVENT_LOG_LIMIT,
): StoreFeed {
  let pendingSnapshot: MeshSnapshot | null = null;
  let pendingMemory: MemoryView | null = null;
  let pendingEvents: MeshEvent[] = [];
  let droppedPending = 0;
  let frameRequested = false;

  function flush(): void {
    frameRequested = false;
    const batch = {
      snapshot: pendingSnapshot,
      memory: pendingMemory,
      events: pendingEvents,
      eventsDroppedBeforeIngest: droppedPending,
    };
    pendingSnapshot = null;
    pendingMemory = null;
    pendingEvents = [];
    droppedPending = 0;
    // A transition, so React renders the batch time-sliced and the page's message handlers run
    // between its slices (see useMeshStore).
    startTransition(() => store.getState().ingest(batch));
  }

  function requestFrame(): void {
    if (frameRequested) return;
    frameRequested = true;
    scheduleFrame(flush);
  }

  return {
    pushSnapshot(snapshot) {
      pendingSnapshot = snapshot;
      requestFrame();
    },
    pushMemory(view) {
      pendingMemory = view;
      requestFrame();
    },
    pushEvent(event) {
      pendingEvents.push(event);
      // Trim in chunks so a long burst costs amortised O(1) per event.
      if (pendingEvents.length >= 2 * maxPendingEvents) {
        const cut = pendingEvents.length - maxPendingEvents;
        pendingEvents.splice(0, cut);
        droppedPending += cut;
      }
      requestFrame();
    },
  };
}
