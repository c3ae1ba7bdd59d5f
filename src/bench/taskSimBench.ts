import type { AgentId } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import type { JobSpec, TaskEvent } from '../core/tasks/taskTypes';
import { randomAgentIds } from '../sim/seeds';
import { TaskCluster } from '../sim/tasks/taskCluster';
import { benchRow } from './benchRow';
import { percentile, round } from './percentiles';
import type { BenchResult } from './report';

/**
 * Task distribution in the simulator (src/sim/tasks): the scheduling core over simulated links
 * of 1-6 ms one way, with the task table as a ledger one link round trip away. Runs are timed,
 * not computed, so the figures are the protocol's own overhead, free of CPU contention.
 */

const TASK_MS = 50;
const TASKS = 200;

function cluster(
  seed: number,
  agents: number,
  workers: number,
): { sim: TaskCluster; ids: AgentId[] } {
  const ids = randomAgentIds(createSeededPrng(seed), agents);
  const sim = new TaskCluster({
    ids,
    workers: () => workers,
    prng: createSeededPrng(seed + 1),
    latencyMs: [1, 6],
    ledgerReplyLoss: 0,
    runFailure: 0,
    detectMs: 1500,
  });
  return { sim, ids };
}

function spec(jobId: string, count: number, strategy: JobSpec['strategy']): JobSpec {
  return {
    jobId,
    kind: 'sim.square',
    inputs: Array.from({ length: count }, (_, n) => JSON.stringify({ n, ms: TASK_MS })),
    strategy,
    requires: [],
    costMs: TASK_MS,
    timeoutMs: 600_000,
    runTimeoutMs: 30_000,
  };
}

function events(sim: TaskCluster): TaskEvent[] {
  return [...sim.agents.values()].flatMap((agent) => agent.events);
}

/** Runs `jobId` to its end; returns when it ended (virtual ms) or NaN. */
function runJob(sim: TaskCluster, submitter: AgentId, job: JobSpec): number {
  const startMs = sim.nowMs;
  sim.submit(submitter, job);
  const ended = () =>
    (sim.agents.get(submitter)?.events ?? []).some(
      (e) => e.type === 'job-done' && e.jobId === job.jobId,
    );
  sim.runUntil(startMs + 600_000, () => undefined, ended);
  return ended() ? sim.nowMs - startMs : Number.NaN;
}

export async function runTaskSimBench(): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  // 200 equal tasks all submitted to one agent of four (two workers each): the others steal.
  const ratios: number[] = [];
  const roundTrips: number[] = [];
  for (let seed = 1; seed <= 5; seed++) {
    const { sim, ids } = cluster(seed, 4, 2);
    sim.runUntil(100, () => undefined);
    const makespanMs = runJob(sim, ids[0] as AgentId, spec(`steal-${seed}`, TASKS, 'steal'));
    const lowerBoundMs = (TASKS * TASK_MS) / (4 * 2);
    ratios.push(makespanMs / lowerBoundMs);
    for (const e of events(sim))
      if (e.type === 'steal' && e.got > 0) roundTrips.push(e.roundTripMs);
  }
  rows.push(
    benchRow(
      `tasks (simulator): ${TASKS} equal tasks submitted to one agent of four, time to done over the lower bound, p50 of 5 seeds`,
      percentile(ratios, 50),
      'x',
      '≤ 1.15',
      (v) => v <= 1.15,
      `4 agents x 2 workers, ${TASK_MS} ms tasks (timed, not computed), links 1-6 ms one way, the ` +
        `task table one round trip away; lower bound = total work / total workers = ` +
        `${(TASKS * TASK_MS) / 8} ms; worst seed ${round(Math.max(...ratios), 3)}x`,
    ),
    benchRow(
      'tasks (simulator): steal round trip (ask to the victim handing tasks over), p50',
      percentile(roundTrips, 50),
      'ms',
      '< 10 ms',
      (v) => v < 10,
      `${roundTrips.length} steals over the 5 runs above; links 1-6 ms one way (a round trip ` +
        `2-12 ms); p99 ${round(percentile(roundTrips, 99), 1)} ms`,
    ),
  );
  // Auctions with eight bidders: the submitter and seven others, one auction per job.
  const awards: number[] = [];
  const { sim, ids } = cluster(11, 8, 1);
  sim.runUntil(100, () => undefined);
  for (let i = 0; i < 50; i++)
    runJob(sim, ids[i % 8] as AgentId, spec(`auction-${i}`, 4, 'auction'));
  for (const e of events(sim)) if (e.type === 'award' && e.bids === 8) awards.push(e.waitedMs);
  rows.push(
    benchRow(
      'tasks (simulator): auction award with 8 bidders (announce to award), p99',
      percentile(awards, 99),
      'ms',
      '< 50 ms',
      (v) => v < 50,
      `${awards.length} auctions of 4 tasks each, 8 agents, links 1-6 ms one way; the award ` +
        `waits for every asked agent's bid (or 150 ms); p50 ${round(percentile(awards, 50), 1)} ms`,
    ),
  );
  return rows;
}
