import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { buildSnapshot, fixtureId } from '../dev/fixtures';
import { NOT_WIRED } from './chaosControls';
import type { DashboardCommands } from './commandsSlice';
import { createMeshStore, type MeshStore } from './meshStore';
import { SLOW_FACTOR, SLOW_NOT_OFFERED, slowControls } from './taskControls';

const [self, a, b, gone] = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];

function commands(calls: [AgentId, number][], slow = true): DashboardCommands {
  const base: DashboardCommands = {
    partition: () => {},
    heal: () => {},
    freeze: () => {},
    setBehaviour: () => {},
    setLinkFault: () => {},
  };
  return slow
    ? { ...base, setSlowdown: (agent, factor) => void calls.push([agent, factor]) }
    : base;
}

function meshStore(): MeshStore {
  const store = createMeshStore();
  store.getState().ingest({
    snapshot: buildSnapshot({
      selfId: self,
      peers: [{ id: a }, { id: b }],
      members: [{ id: self }, { id: a }, { id: b }, { id: gone, status: 'left' }],
    }),
    events: [],
    eventsDroppedBeforeIngest: 0,
  });
  return store;
}

describe('slow controls', () => {
  it('offers every agent but those that left, the first picked until the user picks', () => {
    const store = meshStore();
    const controls = slowControls(store.getState());
    expect(controls.agents).toEqual([self, a, b].sort());
    expect(controls.target).toBe(controls.agents[0]);
    store.getState().setSlowTarget(gone);
    expect(slowControls(store.getState()).target).toBe(controls.agents[0]);
  });

  it('is disabled, saying why, without commands or without a slow command', () => {
    const store = meshStore();
    expect(slowControls(store.getState()).slow).toMatchObject({ enabled: false, title: NOT_WIRED });
    const calls: [AgentId, number][] = [];
    store.getState().setCommands(commands(calls, false));
    const controls = slowControls(store.getState());
    expect(controls.slow).toMatchObject({ enabled: false, title: SLOW_NOT_OFFERED });
    controls.slow.run();
    expect(calls).toEqual([]);
  });

  it('sends the slow command for the picked agent, then normal speed, and notes both', () => {
    const store = meshStore();
    const calls: [AgentId, number][] = [];
    store.getState().setCommands(commands(calls));
    store.getState().setSlowTarget(b);
    const controls = slowControls(store.getState());
    expect(controls.slow.enabled).toBe(true);
    controls.slow.run();
    expect(calls).toEqual([[b, SLOW_FACTOR]]);
    expect(store.getState().slowSent).toEqual({ [b]: SLOW_FACTOR });
    expect(store.getState().lastCommand).toMatchObject({ ok: true });
    expect(store.getState().lastCommand?.text).toMatch(/^Slow ×4 sent/);
    slowControls(store.getState()).normal.run();
    expect(calls).toEqual([
      [b, SLOW_FACTOR],
      [b, 1],
    ]);
    expect(store.getState().slowSent).toEqual({ [b]: 1 });
  });

  it('shows a command that throws as failed, and records no factor sent', () => {
    const store = meshStore();
    store.getState().setCommands({
      ...commands([]),
      setSlowdown: () => {
        throw new RangeError('a slowdown is a factor from 1 to 100');
      },
    });
    slowControls(store.getState()).slow.run();
    expect(store.getState().lastCommand).toEqual({
      ok: false,
      text: 'a slowdown is a factor from 1 to 100',
    });
    expect(store.getState().slowSent).toEqual({});
  });
});
