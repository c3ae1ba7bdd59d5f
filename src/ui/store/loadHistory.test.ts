import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import type { MeshSnapshot } from '../../host/meshSnapshot';
import type { TasksView } from '../../host/taskRecorder';
import { buildSnapshot, fixtureId, type MemberFixture } from '../dev/fixtures';
import { loadSamples, tasksView } from '../dev/taskFixtures';
import {
  advanceLoadHistory,
  EMPTY_LOAD_HISTORY,
  LOAD_POINTS_PER_AGENT,
  peerRatePerSecond,
  peerUtilisation,
  type LoadHistory,
} from './loadHistory';
import { createMeshStore } from './meshStore';

const [self, a, b, c] = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];

type PeerLoad = TasksView['peers'][number];

function told(agent: AgentId, queued: number, change: Partial<PeerLoad> = {}): PeerLoad {
  return {
    agent,
    queued,
    running: 1,
    workers: 2,
    meanTaskMs: 50,
    utilisation: 0.5,
    atMs: 0,
    ...change,
  };
}

function snapshotAt(
  nowMs: number,
  peers: PeerLoad[],
  members: MemberFixture[] = [{ id: self }, ...peers.map((p) => ({ id: p.agent }))],
  samples = loadSamples(3, nowMs),
): MeshSnapshot {
  return buildSnapshot({ selfId: self, nowMs, members, tasks: tasksView({ samples, peers }) });
}

function run(snapshots: MeshSnapshot[], from: LoadHistory = EMPTY_LOAD_HISTORY): LoadHistory {
  return snapshots.reduce(advanceLoadHistory, from);
}

const agents = (history: LoadHistory) => history.series.map((s) => s.agent);
const pointsOf = (history: LoadHistory, agent: AgentId) =>
  history.series.find((s) => s.agent === agent)?.points ?? [];

describe('load history', () => {
  it("takes this agent's series from its own samples, and neighbours' from what they told", () => {
    const history = run([snapshotAt(10_000, [told(b, 4), told(a, 7)])]);
    // This agent first, then the others by id.
    expect(agents(history)).toEqual([self, ...[a, b].sort()]);
    expect(history.series[0]?.self).toBe(true);
    expect(pointsOf(history, self).map((p) => p.atMs)).toEqual([8000, 9000, 10_000]);
    expect(pointsOf(history, a)).toEqual([
      { atMs: 10_000, utilisation: 0.5, queued: 7, running: 1, ratePerSecond: 20 },
    ]);
    expect(history.nowMs).toBe(10_000);
  });

  it('gives a neighbour one point a second, and returns the same object in between', () => {
    const first = run([snapshotAt(10_000, [told(a, 1)])]);
    // A quarter second later, same samples: nothing to add.
    const same = advanceLoadHistory(
      first,
      snapshotAt(10_250, [told(a, 2)], undefined, loadSamples(3, 10_000)),
    );
    expect(same).toBe(first);
    const later = run(
      [750, 1000, 1250, 2000].map((dt) =>
        snapshotAt(10_000 + dt, [told(a, dt)], undefined, loadSamples(3, 10_000)),
      ),
      first,
    );
    expect(pointsOf(later, a).map((p) => [p.atMs, p.queued])).toEqual([
      [10_000, 1],
      [11_000, 1000],
      [12_000, 2000],
    ]);
  });

  it('keeps at most 300 points per agent, the newest', () => {
    const snapshots = Array.from({ length: LOAD_POINTS_PER_AGENT + 40 }, (_, i) =>
      snapshotAt(1000 * i, [told(a, i)], undefined, loadSamples(LOAD_POINTS_PER_AGENT, 1000 * i)),
    );
    const history = run(snapshots);
    const points = pointsOf(history, a);
    expect(points).toHaveLength(LOAD_POINTS_PER_AGENT);
    expect(points[0]?.queued).toBe(40);
    expect(points.at(-1)?.queued).toBe(LOAD_POINTS_PER_AGENT + 39);
    expect(pointsOf(history, self)).toHaveLength(LOAD_POINTS_PER_AGENT);
  });

  it('drops an agent that left at once, and one that no view names any more', () => {
    const start = run([snapshotAt(10_000, [told(a, 1), told(b, 1), told(c, 1)])]);
    expect(agents(start)).toHaveLength(4);
    // 100 ms later (no point due): a left the membership, c is named nowhere.
    const after = advanceLoadHistory(
      start,
      snapshotAt(
        10_100,
        [told(a, 1), told(b, 1)],
        [{ id: self }, { id: a, status: 'left' }, { id: b }],
        loadSamples(3, 10_000),
      ),
    );
    expect(agents(after)).toEqual([self, b]);
    expect(pointsOf(after, b)).toEqual(pointsOf(start, b));
  });

  it('keeps a member that told no load, by its gossiped CPU', () => {
    const history = run([snapshotAt(5000, [], [{ id: self }, { id: a, cpu: 0.35 }])]);
    expect(pointsOf(history, a)).toEqual([
      { atMs: 5000, utilisation: 0.35, queued: 0, running: 0, ratePerSecond: null },
    ]);
  });

  it('empties when the agent runs without tasks', () => {
    const history = run([snapshotAt(5000, [told(a, 1)])]);
    const without = advanceLoadHistory(history, buildSnapshot({ selfId: self, nowMs: 6000 }));
    expect(without).toBe(EMPTY_LOAD_HISTORY);
  });

  it('measures neighbours as they told, falling back to gossiped CPU; estimates their rate', () => {
    expect(peerUtilisation(told(a, 0, { utilisation: 0.8 }), 0.1)).toBe(0.8);
    expect(peerUtilisation(undefined, 0.1)).toBe(0.1);
    expect(peerUtilisation(undefined, null)).toBeNull();
    expect(peerRatePerSecond(told(a, 0, { running: 2, meanTaskMs: 40 }))).toBe(50);
    expect(peerRatePerSecond(told(a, 0, { meanTaskMs: 0 }))).toBeNull();
    expect(peerRatePerSecond(undefined)).toBeNull();
  });

  it('is advanced by the store with each snapshot it ingests', () => {
    const store = createMeshStore();
    store.getState().ingest({
      snapshot: snapshotAt(10_000, [told(a, 3)]),
      events: [],
      eventsDroppedBeforeIngest: 0,
    });
    expect(agents(store.getState().loadHistory)).toEqual([self, a]);
    const before = store.getState().loadHistory;
    store.getState().ingest({ snapshot: null, events: [], eventsDroppedBeforeIngest: 0 });
    expect(store.getState().loadHistory).toBe(before);
  });
});
