import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { createSeededPrng } from '../../core/base/prng';
import { DEFAULT_STEAL_OPTIONS } from '../../core/tasks/stealing';
import { TaskCluster } from './taskCluster';

const A = 'a'.repeat(64) as AgentId;
const B = 'b'.repeat(64) as AgentId;

function twoAgents(): TaskCluster {
  return new TaskCluster({
    ids: [A, B],
    workers: () => 1,
    prng: createSeededPrng(3),
    latencyMs: [1, 2],
    ledgerReplyLoss: 0,
    runFailure: 0,
    detectMs: 1500,
    // No stealing: only the push from a hot agent can move work here.
    config: { steal: { ...DEFAULT_STEAL_OPTIONS, lowWaterPerWorker: 0 } },
  });
}

function runJob(
  cluster: TaskCluster,
  utilisationOfA: number,
): { ranOnB: number; moves: number; moved: number } {
  cluster.agents.get(A)?.node.setUtilisation(utilisationOfA);
  cluster.submit(A, {
    jobId: 'j',
    kind: 'sim.square',
    inputs: Array.from({ length: 20 }, (_, n) => JSON.stringify({ n, ms: 100 })),
    strategy: 'steal',
    requires: [],
    costMs: 100,
    timeoutMs: 600_000,
    runTimeoutMs: 30_000,
  });
  const events = () => cluster.agents.get(A)?.events ?? [];
  cluster.runUntil(
    600_000,
    () => undefined,
    () => events().some((e) => e.type === 'job-done'),
  );
  const done = events().find((e) => e.type === 'job-done');
  if (done?.type !== 'job-done') throw new Error('the job did not finish');
  const ranOnB = done.results.filter((r) => (JSON.parse(r) as { by: string }).by === B).length;
  let moved = 0;
  for (const e of events()) if (e.type === 'rebalance') moved += e.moved;
  return { ranOnB, moves: events().filter((e) => e.type === 'rebalance').length, moved };
}

describe('rebalancing from a hot agent to a cold one', () => {
  it('a hot agent (CPU above 80 %) pushes queued tasks to a cold peer, with the numbers', () => {
    const cluster = twoAgents();
    const { ranOnB, moves, moved } = runJob(cluster, 0.95);
    expect(moves).toBeGreaterThan(0);
    // Half the queue difference at the first look (a second after the job came).
    expect(moved).toBeGreaterThanOrEqual(4);
    expect(ranOnB).toBe(moved);
    const first = cluster.agents.get(A)?.events.find((e) => e.type === 'rebalance');
    expect(first).toMatchObject({ plan: { to: B, selfUtilisation: 0.95, peerUtilisation: 0 } });
  });

  it('an agent that is not hot keeps its queue (and, without stealing, runs it all)', () => {
    expect(runJob(twoAgents(), 0.5)).toEqual({ ranOnB: 0, moves: 0, moved: 0 });
  });
});
