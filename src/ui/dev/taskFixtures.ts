import type { AgentId } from '../../core/base/ids';
import type { TaskDecision, TaskLoadSample, TasksView } from '../../host/taskRecorder';
import { buildSnapshot, fixtureId, type Scenario } from './fixtures';

/** Tasks views for unit tests: made-up numbers the app itself never shows. */

const NOW_MS = 1_000_000;

/** `count` samples a second apart, the newest at `endMs`; queue and busy share vary by index. */
export function loadSamples(count: number, endMs = NOW_MS): TaskLoadSample[] {
  return Array.from({ length: count }, (_, i) => ({
    atMs: endMs - (count - 1 - i) * 1000,
    utilisation: (i % 5) / 4,
    queued: i % 7,
    running: i % 2,
    ratePerSecond: i % 3,
  }));
}

export function tasksView(change: Partial<TasksView> = {}): TasksView {
  return {
    workers: 2,
    slowdown: 1,
    queued: 3,
    running: 2,
    meanTaskMs: 41.6,
    samples: loadSamples(10),
    peers: [],
    decisions: [],
    jobs: [],
    flags: [],
    keptResults: 12,
    ...change,
  };
}

/** One decision of each kind, oldest first, about agents 1..3 as agent 0 saw them. */
export function decisionsOf(self: AgentId): TaskDecision[] {
  const [a, b, c] = [1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId];
  return [
    {
      type: 'award',
      jobId: 'job-aaaa1111bbbb',
      auctionId: 7,
      winners: [
        { agent: a, tasks: 3 },
        { agent: self, tasks: 1 },
      ],
      scored: [
        {
          bid: { bidder: a, match: 1, utilisation: 0.25, speed: 20, costMs: 120 },
          parts: { match: 1, load: 0.75, speed: 1, cost: 1 },
          score: 0.925,
        },
        {
          bid: { bidder: b, match: 1, utilisation: 0.9, speed: null, costMs: 480 },
          parts: { match: 1, load: 0.1, speed: 0.5, cost: 0.25 },
          score: 0.555,
        },
      ],
      bids: 2,
      waitedMs: 38,
      atMs: NOW_MS - 5000,
    },
    {
      type: 'steal',
      victim: b,
      asked: 4,
      got: 3,
      plan: { victim: b, count: 4, victimFinishMs: 1600, thiefFinishMs: 420, gainMs: 1180 },
      roundTripMs: 12.4,
      atMs: NOW_MS - 4000,
    },
    { type: 'stolen-from', thief: c, count: 2, atMs: NOW_MS - 3000 },
    {
      type: 'task-reassigned',
      jobId: 'job-aaaa1111bbbb',
      tasks: [4, 5, 6],
      from: b,
      to: c,
      reason: 'its owner is unreachable',
      atMs: NOW_MS - 2000,
    },
    {
      type: 'task-error',
      jobId: 'job-aaaa1111bbbb',
      task: 9,
      owner: a,
      code: 'timeout',
      message: 'the run took longer than 30000 ms',
      atMs: NOW_MS - 1000,
    },
  ];
}

/**
 * Agent 0 with three neighbours: agent 1 told a load, agent 2 is known by its gossiped CPU
 * only, agent 3 left. Every kind of decision is in the list.
 */
export function tasksScenario(): Scenario {
  const ids = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];
  const [self, a, b, c] = ids;
  const snapshot = buildSnapshot({
    selfId: self,
    nowMs: NOW_MS,
    peers: [{ id: a }, { id: b }],
    members: [
      { id: self, cpu: 0.1 },
      { id: a, cpu: 0.2 },
      { id: b, cpu: 0.35 },
      { id: c, status: 'left' },
    ],
    tasks: tasksView({
      slowdown: 4,
      peers: [
        {
          agent: a,
          queued: 12,
          running: 2,
          workers: 2,
          meanTaskMs: 50,
          utilisation: 0.8,
          atMs: NOW_MS - 200,
        },
      ],
      decisions: decisionsOf(self),
    }),
  });
  return { snapshot, events: [] };
}
