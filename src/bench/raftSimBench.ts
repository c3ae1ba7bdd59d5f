import { DEFAULT_RAFT_CONFIG } from '../core/raft/config';
import { RaftCluster, type RaftSimNode } from '../sim/raft/raftCluster';
import { runRaftSeed } from '../sim/raft/raftRun';
import { benchRow } from './benchRow';
import { percentile, round } from './percentiles';
import type { BenchResult } from './report';

const ONE_WAY_MS = 1;

function progress(text: string): void {
  process.stderr.write(text);
}

/** A leader that has committed an entry of its own term: it can serve. */
function servingLeader(cluster: RaftCluster): RaftSimNode | null {
  const leader = cluster.leaderOf();
  if (leader === null) return null;
  const v = leader.node.view();
  return v.lastTerm === v.term && v.commitIndex === v.lastIndex && v.commitIndex > 0
    ? leader
    : null;
}

function newCluster(seed: number): RaftCluster {
  return new RaftCluster({
    seed,
    voters: 5,
    spares: 0,
    network: { delay: { kind: 'uniform', baseMs: ONE_WAY_MS - 0.5, jitterMs: 1 } },
    timerJitterMs: 0,
  });
}

/** The leader crashes in a healthy cluster: from the crash to a new leader serving. */
function failoverTrial(seed: number): number {
  const cluster = newCluster(seed);
  cluster.runUntil(5000, () => servingLeader(cluster) !== null);
  cluster.runUntil(cluster.scheduler.nowMs() + 200);
  const old = servingLeader(cluster);
  if (old === null) return Number.NaN;
  const crashedAtMs = cluster.scheduler.nowMs();
  cluster.crash(old);
  cluster.runUntil(crashedAtMs + 10_000, () => {
    const leader = servingLeader(cluster);
    return leader !== null && leader !== old;
  });
  return cluster.scheduler.nowMs() - crashedAtMs;
}

/** Appends one at a time at the leader, each after the last committed: append to commit. */
function commitLatencies(count: number): number[] {
  const cluster = newCluster(7);
  cluster.runUntil(5000, () => servingLeader(cluster) !== null);
  const leader = servingLeader(cluster) as RaftSimNode;
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const before = cluster.history.length;
    cluster.invoke(leader, 0, { kind: 'put', key: 'k', value: `v${i}` });
    const record = cluster.history[before];
    if (record === undefined) break;
    cluster.runUntil(cluster.scheduler.nowMs() + 1000, () => record.returnMs !== null);
    if (record.returnMs === null) break;
    latencies.push(record.returnMs - record.invokeMs);
  }
  return latencies;
}

/** Appends from clients at the leader as fast as the pipeline takes them, in wall-clock time. */
function coreThroughput(entries: number): { perSecond: number; committed: number } {
  const cluster = newCluster(9);
  cluster.runUntil(5000, () => servingLeader(cluster) !== null);
  const leader = servingLeader(cluster) as RaftSimNode;
  const startedMs = performance.now();
  const firstIndex = leader.node.commit;
  const perBurst = 256;
  for (let sent = 0; sent < entries; sent += perBurst) {
    for (let i = 0; i < perBurst; i++)
      cluster.invoke(leader, i % 5, { kind: 'put', key: `k${i % 16}`, value: `v${sent + i}` });
    cluster.runUntil(
      cluster.scheduler.nowMs() + 100,
      () => leader.node.commit - firstIndex >= sent + perBurst,
    );
  }
  const wallS = (performance.now() - startedMs) / 1000;
  const committed = leader.node.commit - firstIndex;
  return { perSecond: committed / wallS, committed };
}

export async function runRaftSimBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const min = DEFAULT_RAFT_CONFIG.electionTimeoutMinMs;
  progress('raft-sim: failover after a leader crash\n');
  const trials = Array.from({ length: 200 }, (_, i) => failoverTrial(1000 + i)).filter(
    (t) => !Number.isNaN(t),
  );
  results.push(
    benchRow(
      'Raft failover: leader crash to a new leader committing, 5 voters (simulator)',
      percentile(trials, 50),
      'ms (p50)',
      undefined,
      undefined,
      `${trials.length} trials, election timeouts drawn in [${min}, ${2 * min}) ms, heartbeat ${DEFAULT_RAFT_CONFIG.heartbeatMs} ms, 0.5-1.5 ms one-way delay, pre-vote and check-quorum on; p99 ${round(percentile(trials, 99))} ms, min ${round(Math.min(...trials))} ms, max ${round(Math.max(...trials))} ms`,
    ),
  );
  progress('raft-sim: commit latency\n');
  const latencies = commitLatencies(300);
  const rttMs = 2 * ONE_WAY_MS;
  results.push(
    benchRow(
      'Raft commit latency at the leader, in round trips (simulator)',
      percentile(latencies, 50) / rttMs,
      'round trips (p50)',
      'under 1.5',
      (v) => v < 1.5,
      `300 appends one at a time at the leader of 5, ${ONE_WAY_MS} ms mean one-way delay; append to applied at the leader; p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms`,
    ),
  );
  progress('raft-sim: core throughput\n');
  const throughput = coreThroughput(20_000);
  results.push(
    benchRow(
      'Raft entries committed per second of CPU, 5 nodes in one process (simulator)',
      throughput.perSecond,
      'entries/s',
      undefined,
      undefined,
      `${throughput.committed} puts in bursts of 256 at the leader; every message encoded and decoded by the real codec; all five nodes, the network and the clients on one core: the protocol's own cost`,
    ),
  );
  progress('raft-sim: seeds per second\n');
  const startedMs = performance.now();
  const seeds = 300;
  let failed = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runRaftSeed(seed);
    if (result.violations.length > 0 || result.livenessFailures.length > 0) failed++;
  }
  const wallS = (performance.now() - startedMs) / 1000;
  results.push(
    benchRow(
      'Raft simulator seeds per second',
      seeds / wallS,
      'seeds/s',
      'at least 11 (1,000 seeds in about 90 s)',
      (v) => v >= 11,
      `seeds 1-${seeds} of the fault plan (3 or 5 voters, crashes, replacements, partitions, isolated leaders, flapping links, loss; 12 s faulty then a 6 s liveness phase, simulated), one core; ${failed} failed`,
    ),
  );
  return results;
}
