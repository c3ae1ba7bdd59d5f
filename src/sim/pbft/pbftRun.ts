import { createHash } from 'node:crypto';
import type { AgentId } from '../../core/base/ids';
import { Stream, streamPrng } from '../seeds';
import { PbftCluster, type PbftSimNode } from './pbftCluster';
import { PbftSafetyChecker, type Proposal } from './pbftCheckers';
import { planPbftRun, type PbftPlan } from './pbftFaults';

/** After the heal, every proposal made then must commit within this (simulated) time. */
export const PBFT_LIVENESS_BOUND_MS = 20_000;

export interface PbftRunResult {
  seed: number;
  plan: PbftPlan;
  violations: string[];
  /** Liveness-phase proposals that did not commit in time, or correct replicas left behind. */
  livenessFailures: string[];
  committed: number;
  executions: number;
  /** The newest epoch a correct replica reached (0: the set never changed). */
  epoch: number;
  /** SHA-256 over every replica's final state and log position: equal runs hash equal. */
  fingerprint: string;
  simulatedMs: number;
}

function describe(node: PbftSimNode): string {
  const s = node.replica.snapshot();
  return `#${node.index} view ${s.view} ${s.status} executed ${s.lastExecutedSeq} stable ${s.stableCheckpointSeq}`;
}

/**
 * One seeded pBFT run: a random plan (size, up to f faulty replicas, crashes, partitions, loss,
 * duplication, reordering), a workload from every node, safety checked after every event,
 * then a liveness phase from the heal: every proposal made then must commit within the bound
 * and every correct replica must have executed it.
 */
export function runPbftSeed(seed: number): PbftRunResult {
  const plan = planPbftRun(
    streamPrng(seed, Stream.faults),
    streamPrng(seed, Stream.pbftReconfiguration),
  );
  const cluster = new PbftCluster({
    seed,
    replicas: plan.replicas,
    twinsOf: plan.twinOf === null ? [] : [plan.twinOf],
    network: { delay: { kind: 'uniform', baseMs: 1, jitterMs: 4 } },
    spare: plan.reconfiguration?.op === 'add',
  });
  const faulty = new Set<string>();
  for (const { node, behaviour } of plan.behaviours) {
    cluster.setBehaviour(node, behaviour);
    faulty.add(cluster.node(node).id);
  }
  if (plan.twinOf !== null) faulty.add(cluster.node(plan.twinOf).id);
  if (plan.amnesiac !== null) faulty.add(cluster.node(plan.amnesiac).id);
  const isCorrect = (node: PbftSimNode): boolean => !faulty.has(node.id);
  const correctNodes = (): PbftSimNode[] => cluster.nodes.filter(isCorrect);
  const checker = new PbftSafetyChecker(isCorrect);
  const invariantErrors: string[] = [];
  // The agents' side of a change, done at once: the clients follow the new set (in an agent,
  // once f + 1 replicas announce it) and an added spare joins.
  let knownEpoch = 0;
  let spareJoined = false;
  const onReconfigured = (epoch: number, replicas: AgentId[]): void => {
    if (epoch <= knownEpoch) return;
    knownEpoch = epoch;
    cluster.at(cluster.nowMs, () => {
      cluster.reconfigureClients(replicas);
      // What an agent does when f + 1 replicas announce a set its replica has not reached.
      for (const node of cluster.nodes) if (node.up) node.host.nudge();
      const spare = cluster.spareIndex;
      if (spare !== null && !spareJoined && replicas.includes(cluster.node(spare).id)) {
        spareJoined = true;
        cluster.join(spare, { epoch, replicas });
      }
    });
  };
  cluster.observer = {
    onReplicaEvent: (node, event) => {
      checker.onReplicaEvent(node, event);
      if (event.type === 'pbft-reconfigured' && isCorrect(node)) {
        onReconfigured(event.epoch, event.replicas);
      }
    },
    onClientEvent: (node, event) => checker.onClientEvent(node, event, correctNodes),
    afterStep: (node) => {
      if (!isCorrect(node) || invariantErrors.length > 0) return;
      try {
        node.replica.invariants();
      } catch (error) {
        invariantErrors.push(`invariant at #${node.index}: ${(error as Error).message}`);
      }
    },
  };
  const workload = streamPrng(seed, Stream.pbftWorkload);
  const propose = (
    index: number,
    mustCommit: boolean,
    change: readonly AgentId[] | null = null,
  ): void => {
    const node = cluster.node(index);
    if (!node.up) return;
    const tag = `${index}.${checker.proposals.size}`;
    const action = JSON.stringify(
      change === null
        ? { kind: 'add', value: 1 + workload.nextInt(100), tag }
        : { kind: 'replicas', ids: change, tag },
    );
    // The reqNo is known before the request leaves, so the proposal is on record first.
    const proposal: Proposal = {
      index,
      client: node.id,
      reqNo: -1,
      tag,
      atMs: cluster.nowMs,
      mustCommit,
      outcome: null,
    };
    proposal.reqNo = node.client.nextRequestNumber;
    checker.recordProposal(proposal);
    const reqNo = cluster.propose(index, action);
    if (reqNo !== proposal.reqNo) throw new Error('request numbers out of step');
  };
  for (let index = 0; index < plan.replicas; index++) {
    for (let k = 0; k < plan.proposalsPerNode; k++) {
      cluster.at(workload.nextInt(plan.healAtMs), () => propose(index, false));
    }
  }
  for (const fault of plan.faults) {
    cluster.at(fault.atMs, () => {
      switch (fault.kind) {
        case 'crash':
          cluster.crash(fault.node);
          cluster.at(Math.min(plan.healAtMs, fault.atMs + fault.forMs), () => {
            if (!cluster.node(fault.node).up) cluster.resume(fault.node);
          });
          break;
        case 'restart-empty':
          cluster.restartEmpty(fault.node);
          break;
        case 'restart-stored':
          cluster.crash(fault.node);
          cluster.at(Math.min(plan.healAtMs, fault.atMs + fault.forMs), () =>
            cluster.restartFromStorage(fault.node),
          );
          break;
        case 'partition':
          cluster.network.partition(fault.groups);
          cluster.at(Math.min(plan.healAtMs, fault.atMs + fault.forMs), () => {
            cluster.network.healPartition();
            cluster.linksUp(cluster.allPairs());
          });
          break;
        case 'lossy':
          cluster.network.configure({
            lossRate: fault.lossRate,
            duplicateRate: fault.duplicateRate,
            reorderRate: fault.reorderRate,
          });
          cluster.at(Math.min(plan.healAtMs, fault.atMs + fault.forMs), () =>
            cluster.network.configure({ lossRate: 0, duplicateRate: 0, reorderRate: 0 }),
          );
          break;
      }
    });
  }
  const change = plan.reconfiguration;
  if (change !== null) {
    cluster.at(change.atMs, () => {
      const proposer = cluster.nodes.find((node) => node.up && isCorrect(node) && !node.twin);
      if (proposer === undefined) return;
      const ids =
        change.op === 'add'
          ? [...cluster.ids, cluster.node(cluster.spareIndex as number).id]
          : cluster.ids.filter((id) => id !== cluster.node(change.node).id);
      propose(proposer.index, false, ids);
    });
  }
  cluster.at(plan.healAtMs, () => {
    cluster.network.healPartition();
    cluster.network.configure({ lossRate: 0, duplicateRate: 0, reorderRate: 0 });
    for (const node of cluster.nodes) if (!node.up) cluster.resume(node.index);
    cluster.linksUp(cluster.allPairs());
  });
  const livenessAtMs = plan.healAtMs + 100;
  for (let index = 0; index < plan.replicas; index++) {
    cluster.at(livenessAtMs, () => propose(index, true));
  }
  const endMs = livenessAtMs + PBFT_LIVENESS_BOUND_MS;
  cluster.runUntil(endMs);

  const livenessFailures: string[] = [];
  let highestSeq = 0;
  for (const proposal of checker.proposals.values()) {
    const node = cluster.node(proposal.index);
    if (!proposal.mustCommit || !isCorrect(node)) continue;
    const outcome = proposal.outcome;
    if (outcome === null || 'error' in outcome) {
      livenessFailures.push(
        `${proposal.tag} from #${proposal.index}: ${outcome === null ? 'no outcome' : outcome.error}`,
      );
    } else highestSeq = Math.max(highestSeq, outcome.seq);
  }
  for (const node of correctNodes()) {
    if (node.twin || (node.index === cluster.spareIndex && !spareJoined)) continue;
    const snapshot = node.replica.snapshot();
    // A replica a change left out stops where its epoch ended.
    if (snapshot.role === 'retired') continue;
    if (snapshot.lastExecutedSeq < highestSeq) {
      livenessFailures.push(`${describe(node)}, below ${highestSeq}`);
    }
  }
  const violations = [...invariantErrors, ...checker.violations];
  let committed = 0;
  for (const proposal of checker.proposals.values()) {
    const outcome = proposal.outcome;
    if (outcome === null || 'error' in outcome) continue;
    committed++;
    for (const node of correctNodes()) {
      const computed = node.app.resultsByTag.get(proposal.tag);
      if (computed !== undefined && computed !== outcome.result) {
        violations.push(`${proposal.tag}: accepted result differs from #${node.index}'s`);
      }
    }
  }
  const hash = createHash('sha256');
  for (const node of cluster.nodes) {
    const s = node.replica.snapshot();
    hash.update(
      `${s.view}/${s.lastExecutedSeq}/${s.stableCheckpointSeq}/${node.app.sum}/${node.app.hash};`,
    );
  }
  hash.update(JSON.stringify(cluster.stats));
  hash.update(`${cluster.trace.count}/${cluster.trace.hashHex()}`);
  return {
    seed,
    plan,
    violations,
    livenessFailures,
    committed,
    executions: checker.executions,
    epoch: knownEpoch,
    fingerprint: hash.digest('hex'),
    simulatedMs: endMs,
  };
}
