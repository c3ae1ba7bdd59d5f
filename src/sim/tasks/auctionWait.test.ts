import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { createSeededPrng } from '../../core/base/prng';
import type { TaskEvent } from '../../core/tasks/taskTypes';
import { TaskCluster } from './taskCluster';

const ids = ['a', 'b', 'c', 'd'].map((c) => c.repeat(64) as AgentId);
const [A, , , D] = ids as [AgentId, AgentId, AgentId, AgentId];

/** Four agents, D crashed but not yet noticed: its bid never comes. */
function auctionWithASilentBidder(requires: string[]) {
  const cluster = new TaskCluster({
    ids,
    workers: () => 1,
    prng: createSeededPrng(9),
    latencyMs: [1, 2],
    ledgerReplyLoss: 0,
    runFailure: 0,
    detectMs: 5000,
    config: { awardAfterMs: 20, bidWaitMs: 150 },
  });
  cluster.at(0, () => cluster.crash(D));
  cluster.at(10, () =>
    cluster.submit(A, {
      jobId: 'j',
      kind: 'sim.square',
      inputs: [JSON.stringify({ n: 1, ms: 5 }), JSON.stringify({ n: 2, ms: 5 })],
      strategy: 'auction',
      requires,
      costMs: 5,
      timeoutMs: 60_000,
      runTimeoutMs: 10_000,
    }),
  );
  const events = (): TaskEvent[] => cluster.agents.get(A)?.events ?? [];
  const ended = () => events().some((e) => e.type === 'job-done' || e.type === 'job-failed');
  let endedAtMs = -1;
  cluster.runUntil(
    60_000,
    () => {
      if (endedAtMs < 0 && ended()) endedAtMs = cluster.nowMs;
    },
    ended,
  );
  return { events: events(), endedAtMs };
}

describe('an auction with a bidder that does not answer', () => {
  it('awards once every task has a capable bid, at its award time, without waiting for the silent one', () => {
    const { events } = auctionWithASilentBidder([]);
    const award = events.find((e) => e.type === 'award');
    expect(award?.type === 'award' && award.bids).toBe(3);
    const waitedMs = award?.type === 'award' ? award.waitedMs : -1;
    expect(waitedMs).toBeGreaterThanOrEqual(20);
    expect(waitedMs).toBeLessThan(150);
    expect(events.some((e) => e.type === 'job-done')).toBe(true);
  });

  it('waits out the whole bid time while no bid meets the requirements', () => {
    const { events, endedAtMs } = auctionWithASilentBidder(['gpu-farm']);
    const failed = events.find((e) => e.type === 'job-failed');
    expect(failed?.type === 'job-failed' && failed.code).toBe('no-capable-agent');
    // Announced at about 10 ms (once the job opened); given up at the deadline, 150 ms later.
    expect(endedAtMs).toBeGreaterThanOrEqual(160);
    expect(endedAtMs).toBeLessThan(400);
  });
});
