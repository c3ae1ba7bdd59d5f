import type { Prng } from '../../core/base/prng';
import { PBFT_BEHAVIOURS, type PbftBehaviour } from '../../core/pbft/byzantine';
import { byzantineFaultsTolerated } from '../../core/quorum/byzantine';

/** One scheduled fault of a pBFT run. */
export type PbftFault =
  | { atMs: number; kind: 'crash'; node: number; forMs: number }
  | { atMs: number; kind: 'restart-empty'; node: number }
  /** A crash and a restart from the replica's own storage: still a correct replica. */
  | { atMs: number; kind: 'restart-stored'; node: number; forMs: number }
  | { atMs: number; kind: 'partition'; groups: number[][]; forMs: number }
  | {
      atMs: number;
      kind: 'lossy';
      lossRate: number;
      duplicateRate: number;
      reorderRate: number;
      forMs: number;
    };

/**
 * A change of the replica set proposed during the faults: add a spare agent (which joins by
 * state transfer), or remove a replica (a faulty one when there is one, so at most f of the
 * new set stay faulty).
 */
export type PbftReconfigurationPlan =
  { atMs: number; op: 'add' } | { atMs: number; op: 'remove'; node: number };

/** Everything a seed decides about a run: size, Byzantine replicas, faults and workload. */
export interface PbftPlan {
  replicas: number;
  f: number;
  behaviours: { node: number; behaviour: PbftBehaviour }[];
  /** A Twins copy of this replica (sharing its key), or null. */
  twinOf: number | null;
  /** A replica restarted without its storage, counted against f. */
  amnesiac: number | null;
  faults: PbftFault[];
  /** Faults happen before this; then the network heals and every crashed node comes back. */
  healAtMs: number;
  proposalsPerNode: number;
  reconfiguration: PbftReconfigurationPlan | null;
}

const SIZES = [4, 4, 4, 5, 6, 7];

/**
 * A random plan from the seed's fault stream. At most f replicas are faulty at all (Byzantine,
 * twin or amnesiac), so safety and liveness must hold; crashes and partitions come on top and
 * only delay progress until the heal.
 */
export function planPbftRun(prng: Prng, reconfigurationPrng?: Prng): PbftPlan {
  const replicas = SIZES[prng.nextInt(SIZES.length)] as number;
  const f = byzantineFaultsTolerated(replicas);
  const order = Array.from({ length: replicas }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  let budget = prng.nextInt(f + 1);
  const behaviours: PbftPlan['behaviours'] = [];
  let twinOf: number | null = null;
  let amnesiac: number | null = null;
  while (budget > 0) {
    const node = order.pop() as number;
    budget--;
    const pick = prng.nextInt(PBFT_BEHAVIOURS.length + 2);
    if (pick === PBFT_BEHAVIOURS.length && twinOf === null) twinOf = node;
    else if (pick === PBFT_BEHAVIOURS.length + 1 && amnesiac === null) amnesiac = node;
    else {
      const behaviour = PBFT_BEHAVIOURS[1 + prng.nextInt(PBFT_BEHAVIOURS.length - 1)];
      behaviours.push({ node, behaviour: behaviour as PbftBehaviour });
    }
  }
  const healAtMs = 3000 + prng.nextInt(5000);
  const faults: PbftFault[] = [];
  const faultCount = prng.nextInt(5);
  for (let i = 0; i < faultCount; i++) {
    const atMs = prng.nextInt(healAtMs - 500);
    const forMs = 200 + prng.nextInt(2500);
    switch (prng.nextInt(3)) {
      case 0:
        faults.push({ atMs, kind: 'crash', node: prng.nextInt(replicas), forMs });
        break;
      case 1: {
        const groups: number[][] = [[], []];
        for (let node = 0; node < replicas; node++)
          (groups[prng.nextInt(2)] as number[]).push(node);
        faults.push({ atMs, kind: 'partition', groups, forMs });
        break;
      }
      default:
        faults.push({
          atMs,
          kind: 'lossy',
          lossRate: prng.nextFloat() * 0.15,
          duplicateRate: prng.nextFloat() * 0.05,
          reorderRate: prng.nextFloat() * 0.1,
          forMs,
        });
    }
  }
  if (amnesiac !== null)
    faults.push({ atMs: prng.nextInt(healAtMs), kind: 'restart-empty', node: amnesiac });
  // Drawn last, so the plans drawn before restarts from storage existed stay as they were.
  if (prng.nextInt(3) === 0) {
    const atMs = prng.nextInt(healAtMs - 500);
    faults.push({
      atMs,
      kind: 'restart-stored',
      node: prng.nextInt(replicas),
      forMs: 100 + prng.nextInt(1500),
    });
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  const plan: PbftPlan = {
    replicas,
    f,
    behaviours,
    twinOf,
    amnesiac,
    faults,
    healAtMs,
    proposalsPerNode: 2 + prng.nextInt(6),
    reconfiguration: null,
  };
  // From a stream of its own, so the plans drawn before reconfiguration existed stay as they were.
  if (reconfigurationPrng !== undefined)
    plan.reconfiguration = planChange(reconfigurationPrng, plan);
  return plan;
}

/** One run in three changes the set: half add a spare, half remove a replica. */
function planChange(prng: Prng, plan: PbftPlan): PbftReconfigurationPlan | null {
  if (prng.nextInt(3) !== 0) return null;
  const atMs = prng.nextInt(plan.healAtMs);
  if (prng.nextInt(2) === 0) return { atMs, op: 'add' };
  const faulty = [
    ...plan.behaviours.map((b) => b.node),
    ...(plan.twinOf === null ? [] : [plan.twinOf]),
    ...(plan.amnesiac === null ? [] : [plan.amnesiac]),
  ];
  // Removing a correct replica is safe only while the faulty ones stay within the new f.
  if (faulty.length > byzantineFaultsTolerated(plan.replicas - 1)) {
    return { atMs, op: 'remove', node: faulty[prng.nextInt(faulty.length)] as number };
  }
  return { atMs, op: 'remove', node: prng.nextInt(plan.replicas) };
}
