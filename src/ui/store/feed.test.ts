import { describe, expect, it } from 'vitest';
import type { MemoryView } from '../../crdt/memoryView';
import type { MeshEvent } from '../../host/ports';
import { buildSnapshot, fixtureId } from '../dev/fixtures';
import { createStoreFeed, pacedFrames } from './feed';
import { createMeshStore } from './meshStore';

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (callback: () => void) => void queue.push(callback),
    pending: () => queue.length,
    runFrame: () => queue.splice(0).forEach((callback) => callback()),
  };
}

function event(n: number): MeshEvent {
  return { atMs: n, level: 'info', kind: `kind-${n}` };
}

function setup() {
  const store = createMeshStore();
  const frames = manualFrames();
  const feed = createStoreFeed(store, frames.schedule);
  let updates = 0;
  store.subscribe(() => updates++);
  return { store, frames, feed, updates: () => updates };
}

describe('createStoreFeed', () => {
  it('applies nothing until the frame runs, then everything in one store update', () => {
    const { store, frames, feed, updates } = setup();
    const snapshots = [1, 2, 3].map((n) => buildSnapshot({ selfId: fixtureId(0), nowMs: n }));
    for (const s of snapshots) feed.pushSnapshot(s);
    for (let n = 0; n < 5; n++) feed.pushEvent(event(n));

    expect(frames.pending()).toBe(1);
    expect(updates()).toBe(0);
    expect(store.getState().snapshot).toBeNull();

    frames.runFrame();

    expect(updates()).toBe(1);
    expect(store.getState().snapshot).toBe(snapshots[2]);
    expect(store.getState().events.map((e) => e.kind)).toEqual(
      [0, 1, 2, 3, 4].map((n) => `kind-${n}`),
    );
  });

  it('applies the newest memory view with the snapshot, in the same store update', () => {
    const { store, frames, feed, updates } = setup();
    const view = (nowMs: number): MemoryView => ({
      nowMs,
      namespaces: [],
      entries: [],
      truncated: false,
      peers: [],
      rejectedUpdates: 0,
    });
    const snapshot = buildSnapshot({ selfId: fixtureId(0), nowMs: 1 });
    feed.pushSnapshot(snapshot);
    feed.pushMemory(view(1));
    feed.pushMemory(view(2));
    expect(frames.pending()).toBe(1);
    frames.runFrame();
    expect(updates()).toBe(1);
    expect(store.getState().snapshot).toBe(snapshot);
    expect(store.getState().memory?.nowMs).toBe(2);
    // A batch without a memory view leaves the last one in place.
    feed.pushEvent(event(0));
    frames.runFrame();
    expect(updates()).toBe(2);
    expect(store.getState().memory?.nowMs).toBe(2);
  });

  it('keeps order across frames and requests a new frame only when something is pending', () => {
    const { store, frames, feed, updates } = setup();
    feed.pushEvent(event(0));
    frames.runFrame();
    expect(frames.pending()).toBe(0);

    feed.pushEvent(event(1));
    feed.pushEvent(event(2));
    expect(frames.pending()).toBe(1);
    frames.runFrame();

    expect(updates()).toBe(2);
    expect(store.getState().events.map((e) => e.atMs)).toEqual([0, 1, 2]);
  });

  it('a frame with only events leaves the snapshot in place', () => {
    const { store, frames, feed } = setup();
    const snapshot = buildSnapshot({ selfId: fixtureId(0) });
    feed.pushSnapshot(snapshot);
    frames.runFrame();
    feed.pushEvent(event(7));
    frames.runFrame();
    expect(store.getState().snapshot).toBe(snapshot);
    expect(store.getState().events).toHaveLength(1);
  });

  it('bounds the events waiting for a frame and counts the ones it drops', () => {
    const store = createMeshStore({ eventLimit: 10 });
    const frames = manualFrames();
    const feed = createStoreFeed(store, frames.schedule, 10);
    for (let n = 0; n < 1000; n++) feed.pushEvent(event(n));
    frames.runFrame();

    const { events, droppedEvents } = store.getState();
    expect(events.map((e) => e.atMs)).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
    expect(droppedEvents).toBe(990);
  });
});

describe('pacedFrames', () => {
  function pacing() {
    let nowMs = 0;
    const frames: (() => void)[] = [];
    const timers: { atMs: number; callback: () => void }[] = [];
    const ports = {
      nowMs: () => nowMs,
      frame: (callback: () => void) => void frames.push(callback),
      after: (callback: () => void, delayMs: number) =>
        void timers.push({ atMs: nowMs + delayMs, callback }),
    };
    return {
      ports,
      frames,
      timers,
      /** Moves the clock on, firing due timers, then runs the frames they and others asked for. */
      advance(ms: number) {
        nowMs += ms;
        for (const timer of timers.filter((t) => t.atMs <= nowMs)) {
          timers.splice(timers.indexOf(timer), 1);
          timer.callback();
        }
        frames.splice(0).forEach((callback) => callback());
      },
    };
  }

  it('runs the first callback in the next frame and later ones no sooner than the gap after it', () => {
    const clock = pacing();
    const schedule = pacedFrames(250, clock.ports);
    const ran: number[] = [];
    schedule(() => ran.push(1));
    expect(clock.timers).toHaveLength(0);
    clock.advance(16);
    expect(ran).toEqual([1]);

    schedule(() => ran.push(2));
    expect(clock.frames).toHaveLength(0);
    expect(clock.timers.map((t) => t.atMs)).toEqual([266]);
    clock.advance(200);
    expect(ran).toEqual([1]);
    clock.advance(50);
    expect(ran).toEqual([1, 2]);

    clock.advance(1000);
    schedule(() => ran.push(3));
    expect(clock.timers).toHaveLength(0);
    clock.advance(16);
    expect(ran).toEqual([1, 2, 3]);
  });

  it('lets a feed render a burst of events once per gap', () => {
    const clock = pacing();
    const store = createMeshStore();
    const feed = createStoreFeed(store, pacedFrames(250, clock.ports));
    let updates = 0;
    store.subscribe(() => updates++);
    for (let n = 0; n < 40; n++) {
      feed.pushEvent(event(n));
      clock.advance(25);
    }
    // 1,000 ms of events, one every 25 ms: a render at the start and then one per 250 ms.
    expect(updates).toBe(4);
    clock.advance(250);
    expect(updates).toBe(5);
    expect(store.getState().events).toHaveLength(40);
  });
});
