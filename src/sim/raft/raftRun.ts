import type { Prng } from '../../core/base/prng';
import { majorityOf } from '../../core/quorum/majority';
import { checkKvHistory, type KvOp } from '../linearizability';
import { Stream, streamPrng } from '../seeds';
import { RaftCluster, type RaftSimNode } from './raftCluster';

/** Faults happen in [0, FAULTS_END_MS); then the network heals and liveness is checked. */
const FAULTS_END_MS = 12_000;
/** After the heal, a leader must be elected and commit within this long. */
const LIVENESS_BOUND_MS = 6_000;
const KEYS = ['a', 'b', 'c'];

export type RaftFaultKind = 'crash' | 'partition' | 'isolate-leader' | 'flap' | 'lossy' | 'replace';

export interface RaftRunPlan {
  voters: number;
  lossRate: number;
  duplicateRate: number;
  reorderRate: number;
  timerJitterMs: number;
  faults: { atMs: number; kind: RaftFaultKind }[];
}

export interface RaftRunResult {
  seed: number;
  plan: RaftRunPlan;
  violations: string[];
  livenessFailures: string[];
  /** Trace hash: equal for a replay of the same seed on the same code. */
  fingerprint: string;
  elections: number;
  committed: number;
  historyOps: number;
  linearizable: boolean | 'unknown' | null;
  /** From the heal to a leader committing an entry of its term, ms. */
  recoveryMs: number | null;
  snapshotsInstalled: number;
  membershipChanges: number;
  replaced: number;
  stepDowns: Record<string, number>;
}

function planFor(seed: number): RaftRunPlan {
  const prng = streamPrng(seed, Stream.faults);
  const voters = prng.nextInt(2) === 0 ? 3 : 5;
  const faults: RaftRunPlan['faults'] = [];
  const kinds: RaftFaultKind[] = [
    'crash',
    'partition',
    'isolate-leader',
    'flap',
    'lossy',
    'replace',
  ];
  let atMs = 500 + prng.nextInt(1000);
  while (atMs < FAULTS_END_MS - 1500) {
    faults.push({ atMs, kind: kinds[prng.nextInt(kinds.length)] as RaftFaultKind });
    atMs += 400 + prng.nextInt(2000);
  }
  return {
    voters,
    lossRate: prng.nextInt(3) === 0 ? prng.nextFloat() * 0.1 : 0,
    duplicateRate: prng.nextInt(3) === 0 ? prng.nextFloat() * 0.05 : 0,
    reorderRate: prng.nextInt(3) === 0 ? prng.nextFloat() * 0.2 : 0,
    timerJitterMs: prng.nextInt(2) === 0 ? prng.nextFloat() * 30 : 0,
    faults,
  };
}

/** Runs one seeded run: faults and a register workload, safety after every event, then liveness. */
export function runRaftSeed(
  seed: number,
  options: { checkLinearizability?: boolean } = {},
): RaftRunResult {
  const plan = planFor(seed);
  const cluster = new RaftCluster({
    seed,
    voters: plan.voters,
    spares: 2,
    network: {
      lossRate: plan.lossRate,
      duplicateRate: plan.duplicateRate,
      reorderRate: plan.reorderRate,
      delay: { kind: 'uniform', baseMs: 2, jitterMs: 8 },
    },
    timerJitterMs: plan.timerJitterMs,
    config: { snapshotEveryEntries: 32, maxLogEntries: 256 },
  });
  const faultPrng = streamPrng(seed, Stream.faults, 1);
  for (const fault of plan.faults)
    cluster.scheduler.at(fault.atMs, () => injectFault(cluster, fault.kind, faultPrng));
  cluster.scheduler.at(FAULTS_END_MS, () => heal(cluster));
  scheduleWorkload(cluster, streamPrng(seed, Stream.pbftWorkload));
  scheduleMembershipDriver(cluster);

  const endMs = FAULTS_END_MS + LIVENESS_BOUND_MS;
  let recoveryMs: number | null = null;
  let probeAt = FAULTS_END_MS;
  cluster.runUntil(endMs, () => {
    const nowMs = cluster.scheduler.nowMs();
    if (recoveryMs === null && nowMs >= FAULTS_END_MS && nowMs >= probeAt) {
      probeAt = nowMs + 50;
      if (settledAfterHeal(cluster)) recoveryMs = nowMs - FAULTS_END_MS;
    }
    return false;
  });
  const livenessFailures: string[] = [];
  if (cluster.checker.violations.length === 0 && recoveryMs === null) {
    const roles = cluster.nodes
      .filter((n) => n.up)
      .map((n) => `${n.index}:${n.node.currentRole}@${n.node.currentTerm} c${n.node.commit}`);
    livenessFailures.push(
      `no leader committed within ${LIVENESS_BOUND_MS} ms of the heal (${roles.join(' ')})`,
    );
  }
  let linearizable: RaftRunResult['linearizable'] = null;
  if (options.checkLinearizability === true) {
    const verdict = checkKvHistory(cluster.history, 2_000_000).ok;
    linearizable = verdict;
    if (verdict === false)
      cluster.checker.violations.push('the register history is not linearizable');
  }
  // Elections won: a follower learning its leader says so too, with another node's id.
  const leaders = cluster.events.filter(
    (e) => e.event.type === 'raft-leader' && e.event.leader === cluster.nodes[e.node]?.id,
  ).length;
  const stepDowns: Record<string, number> = {};
  for (const { event } of cluster.events) {
    if (event.type === 'raft-step-down')
      stepDowns[event.reason] = (stepDowns[event.reason] ?? 0) + 1;
  }
  return {
    seed,
    plan,
    violations: cluster.checker.violations,
    livenessFailures,
    fingerprint: cluster.trace.hashHex(),
    elections: leaders,
    committed: Math.max(...cluster.nodes.filter((n) => n.started).map((n) => n.node.commit)),
    historyOps: cluster.history.length,
    linearizable,
    recoveryMs,
    snapshotsInstalled: cluster.nodes
      .filter((n) => n.started)
      .reduce((sum, n) => sum + n.node.view().stats.snapshotsInstalled, 0),
    membershipChanges: cluster.configIndexes.size,
    replaced: cluster.nodes.filter((n) => n.retired).length,
    stepDowns,
  };
}

/** A leader of the highest term, whose term's entry every live voter has applied. */
function settledAfterHeal(cluster: RaftCluster): boolean {
  const leader = cluster.leaderOf();
  if (leader === null) return false;
  const view = leader.node.view();
  if (view.commitIndex < 1 || view.lastTerm !== view.term) return false;
  // The leader committed in its own term once its commit covers its whole log (noop included).
  if (view.commitIndex !== view.lastIndex) return false;
  return cluster.nodes
    .filter((n) => n.up && view.voters.includes(n.id))
    .every((n) => n.node.commit >= view.commitIndex && n.node.currentTerm === view.term);
}

function liveNodes(cluster: RaftCluster): RaftSimNode[] {
  return cluster.nodes.filter((n) => n.up);
}

function injectFault(cluster: RaftCluster, kind: RaftFaultKind, prng: Prng): void {
  const nowMs = cluster.scheduler.nowMs();
  const members = cluster.nodes.filter((n) => !n.retired);
  switch (kind) {
    case 'crash': {
      const victims = liveNodes(cluster);
      const victim = victims[prng.nextInt(victims.length)];
      if (victim === undefined || !keepsMajority(cluster, victim)) return;
      cluster.crash(victim);
      cluster.scheduler.at(nowMs + 300 + prng.nextInt(2500), () => cluster.restart(victim));
      return;
    }
    case 'partition': {
      const shuffled = members.map((n) => n.index);
      const cut = 1 + prng.nextInt(Math.max(1, shuffled.length - 1));
      const start = prng.nextInt(shuffled.length);
      const side = new Set<number>();
      for (let i = 0; i < cut; i++) side.add(shuffled[(start + i) % shuffled.length] as number);
      cluster.network.partition([
        [...side],
        cluster.nodes.map((n) => n.index).filter((i) => !side.has(i)),
      ]);
      cluster.scheduler.at(nowMs + 500 + prng.nextInt(3000), () => cluster.network.healPartition());
      return;
    }
    case 'isolate-leader': {
      const leader = cluster.leaderOf();
      if (leader === null) return;
      cluster.network.partition([
        [leader.index],
        cluster.nodes.map((n) => n.index).filter((i) => i !== leader.index),
      ]);
      cluster.scheduler.at(nowMs + 500 + prng.nextInt(2500), () => cluster.network.healPartition());
      return;
    }
    case 'flap': {
      const a = prng.nextInt(cluster.nodes.length);
      const b = (a + 1 + prng.nextInt(cluster.nodes.length - 1)) % cluster.nodes.length;
      for (let i = 0; i < 6; i++) {
        cluster.scheduler.at(nowMs + i * 150, () => {
          if (i % 2 === 0) {
            cluster.network.cut(a, b);
            cluster.network.cut(b, a);
          } else {
            cluster.network.restore(a, b);
            cluster.network.restore(b, a);
          }
        });
      }
      return;
    }
    case 'lossy':
      cluster.network.configure({ lossRate: 0.3 });
      cluster.scheduler.at(nowMs + 300 + prng.nextInt(1500), () =>
        cluster.network.configure({ lossRate: 0 }),
      );
      return;
    case 'replace': {
      // An agent loses its storage for good; a spare joins in its place (learner, then voter),
      // one replacement at a time.
      const members = newestMembers(cluster);
      const spare = cluster.nodes.find((n) => !n.started);
      if (spare === undefined || cluster.nodes.some((n) => n.up && !members.voters.includes(n.id)))
        return;
      const victims = liveNodes(cluster).filter((n) => members.voters.includes(n.id));
      const victim = victims[prng.nextInt(victims.length)];
      if (victim === undefined || !keepsMajority(cluster, victim)) return;
      cluster.retire(victim);
      cluster.startSpare(spare);
      return;
    }
  }
}

/** The membership of the live node with the newest log: close to the one in force. */
function newestMembers(cluster: RaftCluster): { voters: string[]; learners: string[] } {
  let best: RaftSimNode | null = null;
  for (const n of liveNodes(cluster)) {
    const v = n.node.view();
    if (best === null) best = n;
    else {
      const b = best.node.view();
      if (v.lastTerm > b.lastTerm || (v.lastTerm === b.lastTerm && v.lastIndex > b.lastIndex))
        best = n;
    }
  }
  return best?.node.membership ?? { voters: [], learners: [] };
}

/**
 * Whether a majority of voters stays up (or can come back) once `victim` goes down, in every
 * membership a live node holds: the newest one may not be committed yet (a truncated promotion
 * leaves the one before it in force), and a fault that only the newest one survives would end
 * the cluster for good, which no operator replacing one agent at a time would do.
 */
function keepsMajority(cluster: RaftCluster, victim: RaftSimNode): boolean {
  return liveNodes(cluster).every(({ node }) => {
    const { voters } = node.membership;
    if (!voters.includes(victim.id)) return true;
    const unavailable = voters.filter((id) => {
      const n = cluster.node(id as never);
      return n === undefined || !n.up || n.retired;
    }).length;
    return voters.length - unavailable - 1 >= majorityOf(voters.length);
  });
}

function heal(cluster: RaftCluster): void {
  cluster.network.healPartition();
  cluster.network.clearCuts();
  cluster.network.configure({ lossRate: 0, duplicateRate: 0, reorderRate: 0 });
  for (const n of cluster.nodes) if (!n.up && !n.retired && n.started) cluster.restart(n);
}

/** Clients on every node issue register operations on a few keys until the faults end. */
function scheduleWorkload(cluster: RaftCluster, prng: Prng): void {
  let value = 0;
  for (let t = 200; t < FAULTS_END_MS; t += 20 + prng.nextInt(120)) {
    const node = prng.nextInt(cluster.nodes.length);
    const key = KEYS[prng.nextInt(KEYS.length)] as string;
    const r = prng.nextInt(3);
    const v = `v${++value}`;
    const op: KvOp =
      r === 0
        ? { kind: 'put', key, value: v }
        : r === 1
          ? { kind: 'get', key }
          : { kind: 'cas', key, expected: `v${value - 1 - prng.nextInt(3)}`, value: v };
    cluster.scheduler.at(t, () => {
      const sim = cluster.nodes[node] as RaftSimNode;
      if (sim.up) cluster.invoke(sim, node, op);
    });
  }
}

/**
 * The membership driver the agents run (README.md): the leader removes a voter whose agent is
 * gone for good, adds a new agent as a learner, and promotes a learner once it caught up.
 */
function scheduleMembershipDriver(cluster: RaftCluster): void {
  const tick = (): void => {
    const leader = cluster.leaderOf();
    if (leader !== null) {
      const members = leader.node.membership;
      const gone = [...members.voters, ...members.learners].find(
        (id) => cluster.node(id)?.retired === true,
      );
      const joiner = cluster.nodes.find(
        (n) =>
          n.up && !n.retired && !members.voters.includes(n.id) && !members.learners.includes(n.id),
      );
      const learner = members.learners.find((id) => cluster.node(id)?.up === true);
      if (gone !== undefined) cluster.changeMembers(leader, { action: 'remove', member: gone });
      else if (learner !== undefined)
        cluster.changeMembers(leader, { action: 'promote', member: learner });
      else if (joiner !== undefined)
        cluster.changeMembers(leader, { action: 'add-learner', member: joiner.id });
    }
    if (cluster.scheduler.nowMs() < FAULTS_END_MS + LIVENESS_BOUND_MS)
      cluster.scheduler.at(cluster.scheduler.nowMs() + 250, tick);
  };
  cluster.scheduler.at(250, tick);
}
