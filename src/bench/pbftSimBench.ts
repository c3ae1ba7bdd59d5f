import type { PbftClientEvent } from '../core/pbft/client';
import { PbftCluster } from '../sim/pbft/pbftCluster';
import { runPbftSeed } from '../sim/pbft/pbftRun';
import { benchRow } from './benchRow';
import { percentile, round } from './percentiles';
import type { BenchResult } from './report';

/** Castro and Liskov's count of messages between replicas per request, without batching. */
const THEORETICAL_MESSAGES: Record<number, number> = { 4: 24, 7: 84, 10: 180 };
const ONE_WAY_MS = 1;

function progress(text: string): void {
  process.stderr.write(text);
}

/**
 * One proposal at a time from rotating clients, each waiting for its result: the unbatched
 * normal case. Returns messages between replicas per request and the latencies.
 */
function sequentialRun(
  replicas: number,
  proposals: number,
): { perRequest: number; latenciesMs: number[] } {
  const cluster = new PbftCluster({
    seed: 7,
    replicas,
    network: { delay: { kind: 'uniform', baseMs: ONE_WAY_MS, jitterMs: 0 } },
  });
  const latenciesMs: number[] = [];
  let startedMs = 0;
  let next = 0;
  const proposeNext = (): void => {
    if (next >= proposals) return;
    startedMs = cluster.nowMs;
    cluster.propose(next % replicas, JSON.stringify({ kind: 'add', value: next, tag: `b${next}` }));
    next++;
  };
  cluster.observer = {
    onClientEvent: (_node, event: PbftClientEvent) => {
      if (event.type !== 'proposal-committed') return;
      latenciesMs.push(cluster.nowMs - startedMs);
      // The next proposal goes once this one's client has its result.
      cluster.at(cluster.nowMs + 1, proposeNext);
    },
  };
  cluster.at(10, proposeNext);
  cluster.runUntil(10 + proposals * 50);
  let between = 0;
  for (const [type, count] of cluster.sentByType) {
    // Between replicas: not the clients' requests nor the replicas' replies to them.
    if (type !== 'pbft-request' && type !== 'pbft-reply') between += count;
  }
  return { perRequest: between / Math.max(1, latenciesMs.length), latenciesMs };
}

/**
 * The primary crashes under steady proposals: from the crash to the first commit of a request
 * proposed after it (requests already pre-prepared may still commit without the primary).
 */
function viewChangeTrial(seed: number): number {
  const cluster = new PbftCluster({
    seed,
    replicas: 4,
    network: { delay: { kind: 'uniform', baseMs: ONE_WAY_MS, jitterMs: 1 } },
  });
  let crashedAtMs = -1;
  let recoveredAfterMs = Number.NaN;
  const afterCrash = new Set<string>();
  cluster.observer = {
    onClientEvent: (node, event) => {
      if (event.type !== 'proposal-committed' || !Number.isNaN(recoveredAfterMs)) return;
      if (afterCrash.has(`${node.index}:${event.reqNo}`))
        recoveredAfterMs = cluster.nowMs - crashedAtMs;
    },
  };
  for (let i = 0; i < 400; i++) {
    const index = 1 + (i % 3);
    cluster.at(5 + i * 10, () => {
      const reqNo = cluster.propose(index, JSON.stringify({ kind: 'add', value: i, tag: `v${i}` }));
      if (crashedAtMs >= 0) afterCrash.add(`${index}:${reqNo}`);
    });
  }
  const crashAtMs = 1000 + (seed % 10) * 7;
  cluster.at(crashAtMs, () => {
    crashedAtMs = cluster.nowMs;
    cluster.crash(0);
  });
  cluster.runUntil(crashAtMs + 10_000);
  return recoveredAfterMs;
}

/**
 * A spare agent is added under steady proposals: from the change's proposal to the joiner
 * executing it (state transfer from f + 1 replicas included), and the longest time without a
 * commit around the change (the epoch closing and the new one starting).
 */
function reconfigurationTrial(seed: number): { joinedMs: number; gapMs: number } {
  const cluster = new PbftCluster({
    seed,
    replicas: 4,
    spare: true,
    network: { delay: { kind: 'uniform', baseMs: ONE_WAY_MS, jitterMs: 1 } },
  });
  const spare = cluster.spareIndex as number;
  const changeAtMs = 1000 + (seed % 10) * 7;
  let joinedMs = Number.NaN;
  let lastCommitMs = 0;
  let gapMs = 0;
  cluster.observer = {
    onReplicaEvent: (node, event) => {
      if (event.type !== 'pbft-reconfigured') return;
      if (node.index === spare && event.member && Number.isNaN(joinedMs)) {
        joinedMs = cluster.nowMs - changeAtMs;
      }
      if (node.index === 0) {
        cluster.at(cluster.nowMs, () => {
          cluster.reconfigureClients(event.replicas);
          cluster.join(spare, { epoch: event.epoch, replicas: event.replicas });
        });
      }
    },
    onClientEvent: (_node, event) => {
      if (event.type !== 'proposal-committed') return;
      if (cluster.nowMs > changeAtMs - 200) gapMs = Math.max(gapMs, cluster.nowMs - lastCommitMs);
      lastCommitMs = cluster.nowMs;
    },
  };
  for (let i = 0; i < 300; i++) {
    const index = i % 4;
    cluster.at(5 + i * 10, () =>
      cluster.propose(index, JSON.stringify({ kind: 'add', value: i, tag: `r${i}` })),
    );
  }
  const spareId = cluster.node(spare).id;
  cluster.at(changeAtMs, () =>
    cluster.propose(0, JSON.stringify({ kind: 'replicas', ids: [...cluster.ids, spareId] })),
  );
  cluster.runUntil(changeAtMs + 10_000);
  return { joinedMs, gapMs };
}

export async function runPbftSimBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const n of [4, 7, 10]) {
    progress(`pbft-sim: messages per request at n=${n}\n`);
    const { perRequest, latenciesMs } = sequentialRun(n, 200);
    const theory = THEORETICAL_MESSAGES[n] as number;
    results.push(
      benchRow(
        `pBFT messages between replicas per request, n = ${n} (simulator)`,
        perRequest,
        'messages',
        `about ${theory} (Castro-Liskov) plus checkpoints`,
        (v) => v <= theory * 1.15,
        `200 requests one at a time, no batching, no faults; pre-prepare + prepare + commit + checkpoint messages between replicas over executed requests; theory ${theory}`,
      ),
    );
    if (n === 4) {
      const p50 = percentile(latenciesMs, 50);
      const p99 = percentile(latenciesMs, 99);
      results.push(
        benchRow(
          'pBFT commit latency, n = 4, in one-way delays (simulator)',
          p50 / ONE_WAY_MS,
          'one-way delays (p50)',
          '5 (request, pre-prepare, prepare, commit, reply)',
          (v) => v <= 5.5,
          `p50 ${p50} ms, p99 ${p99} ms with a fixed ${ONE_WAY_MS} ms one-way delay; propose to f+1 matching replies`,
        ),
      );
    }
  }
  progress('pbft-sim: view change after a primary crash\n');
  const trials = Array.from({ length: 20 }, (_, i) => viewChangeTrial(100 + i));
  results.push(
    benchRow(
      'pBFT primary crash to next commit, n = 4 (simulator)',
      percentile(trials, 99),
      'ms (p99 of 20)',
      'under 2000',
      (v) => v < 2000,
      `steady proposals every 10 ms from the three backups' clients, 1-2 ms one-way delay, request timeout 500 ms; p50 ${round(percentile(trials, 50))} ms`,
    ),
  );
  progress('pbft-sim: a replica added under load\n');
  const changes = Array.from({ length: 20 }, (_, i) => reconfigurationTrial(200 + i));
  const joined = changes.map((c) => c.joinedMs);
  const gaps = changes.map((c) => c.gapMs);
  results.push(
    benchRow(
      'pBFT replica added: change proposed to the joiner voting, n = 4 → 5 (simulator)',
      percentile(joined, 99),
      'ms (p99 of 20)',
      undefined,
      undefined,
      `steady proposals every 10 ms from four clients, 1-2 ms one-way delay; the epoch closes at the change's checkpoint, the joiner takes the state from f + 1 replicas; p50 ${round(percentile(joined, 50))} ms`,
    ),
    benchRow(
      'pBFT replica added: longest time without a commit around the change (simulator)',
      percentile(gaps, 99),
      'ms (p99 of 20)',
      undefined,
      undefined,
      `same trials; p50 ${round(percentile(gaps, 50))} ms`,
    ),
  );
  progress('pbft-sim: seeds per second\n');
  const startedMs = performance.now();
  const seeds = 300;
  let failed = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runPbftSeed(seed);
    if (result.violations.length > 0 || result.livenessFailures.length > 0) failed++;
  }
  const wallS = (performance.now() - startedMs) / 1000;
  results.push(
    benchRow(
      'pBFT simulator seeds per second',
      seeds / wallS,
      'seeds/s',
      'at least 11 (1,000 seeds in about 90 s)',
      (v) => v >= 11,
      `seeds 1-${seeds} of the fault plan (n 4-7, up to f Byzantine, twins or amnesiac replicas, crashes, partitions, loss; ~3-8 s faulty then a 20 s liveness phase, all simulated), one core; ${failed} failed`,
    ),
  );
  return results;
}
