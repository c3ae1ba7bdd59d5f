import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { buildSnapshot, fixtureId } from '../dev/fixtures';
import { effectiveGroup } from './chaosSlice';
import { createMeshStore } from './meshStore';
import { shownTab } from './viewSlice';

const [self, a, b, c] = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];

function withSnapshot(partition: AgentId[][] | null = null) {
  const store = createMeshStore();
  store.getState().ingest({
    snapshot: buildSnapshot({
      selfId: self,
      peers: [{ id: a, rttMs: 1, fault: { delayMs: 250, dropRate: 0.3 } }, { id: b }, { id: c }],
      chaos: { partition },
    }),
    events: [],
    eventsDroppedBeforeIngest: 0,
  });
  return store;
}

describe('group cycling', () => {
  it('starts everyone in group 0 and cycles 0 → 1 → 0 with two groups', () => {
    const store = createMeshStore();
    const group = (id: AgentId) =>
      effectiveGroup(store.getState().groupOf, store.getState().groupCount, id);
    expect(group(a)).toBe(0);
    store.getState().cycleGroup(a);
    expect(group(a)).toBe(1);
    store.getState().cycleGroup(a);
    expect(group(a)).toBe(0);
    expect(store.getState().groupOf).toEqual({});
  });

  it('cycles through every group when there are more', () => {
    const store = createMeshStore();
    store.getState().setGroupCount(4);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      store.getState().cycleGroup(b);
      seen.push(effectiveGroup(store.getState().groupOf, 4, b));
    }
    expect(seen).toEqual([1, 2, 3, 0, 1]);
  });

  it('clamps the group count to 2..4 and moves agents of removed groups back to group 0', () => {
    const store = createMeshStore();
    store.getState().setGroupCount(9);
    expect(store.getState().groupCount).toBe(4);
    store.getState().setGroup(a, 3);
    store.getState().setGroup(b, 1);
    store.getState().setGroupCount(2);
    expect(store.getState().groupOf).toEqual({ [b]: 1 });
    store.getState().setGroupCount(1);
    expect(store.getState().groupCount).toBe(2);
  });

  it('ignores a group outside the current count', () => {
    const store = createMeshStore();
    store.getState().setGroup(a, 2);
    store.getState().setGroup(a, -1);
    expect(store.getState().groupOf).toEqual({});
  });

  it('a node click cycles the group in partition mode and toggles the selection otherwise', () => {
    const store = createMeshStore();
    store.getState().activateNode(a);
    expect(store.getState().selectedId).toBe(a);
    expect(store.getState().groupOf).toEqual({});

    store.getState().setPartitionMode(true);
    store.getState().activateNode(b);
    expect(store.getState().groupOf).toEqual({ [b]: 1 });
    expect(store.getState().selectedId).toBe(a);
  });

  it('partition mode starts from the active partition', () => {
    const store = withSnapshot([[self, a], [b], [c]]);
    store.getState().setPartitionMode(true);
    expect(store.getState().groupCount).toBe(3);
    expect(store.getState().groupOf).toEqual({ [self]: 0, [a]: 0, [b]: 1, [c]: 2 });
  });

  it('partition mode keeps the drawn-up groups when no partition is active', () => {
    const store = withSnapshot(null);
    store.getState().setGroup(c, 1);
    store.getState().setPartitionMode(true);
    expect(store.getState().groupOf).toEqual({ [c]: 1 });
  });
});

describe('link selection', () => {
  it('orders the ends, starts the inputs from the link’s fault, and toggles off', () => {
    const store = withSnapshot();
    store.getState().toggleLink(a, self);
    const state = store.getState();
    expect(state.selectedLink).toEqual(self < a ? { a: self, b: a } : { a, b: self });
    expect(state.linkDelayText).toBe('250');
    expect(state.linkLossText).toBe('30');

    store.getState().toggleLink(self, a);
    expect(store.getState().selectedLink).toBeNull();
  });
});

describe('shown tab', () => {
  it('follows the membership view until the user picks a tab', () => {
    expect(shownTab(null, false)).toBe('peers');
    expect(shownTab(null, true)).toBe('members');
    expect(shownTab('events', true)).toBe('events');
  });
});
