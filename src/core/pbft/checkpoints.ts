import type { AgentId } from '../base/ids';
import type { PbftCheckpoint } from '../wire/pbftMessages';
import { GENESIS_DIGEST } from './proofs';

/** Checkpoints remembered per replica: enough to see a quorum form above a lagging replica. */
const HELD_PER_REPLICA = 4;

export interface StableCheckpoint {
  seq: number;
  stateDigest: string;
  /** A quorum of matching checkpoints (empty for the genesis checkpoint). */
  certificate: PbftCheckpoint[];
  /** The state at `seq`, as text; null while this replica has not got it. */
  snapshot: string | null;
}

/**
 * Checkpoint messages (Castro-Liskov 4.3): collects them per sequence number and tells when a
 * quorum agrees on one above the stable checkpoint. Each replica's newest few are held, so
 * the collection is bounded by the replica count whatever a faulty replica sends.
 */
export class Checkpoints {
  stable: StableCheckpoint = { seq: 0, stateDigest: GENESIS_DIGEST, certificate: [], snapshot: '' };
  /** This replica's own states at its checkpoints not yet stable (seq -> text and digest). */
  readonly own = new Map<number, { snapshot: string; stateDigest: string }>();
  private readonly byReplica = new Map<AgentId, PbftCheckpoint[]>();

  /** Adds a checkpoint; returns the certificate if a quorum now matches one above the stable. */
  add(checkpoint: PbftCheckpoint, quorum: number): PbftCheckpoint[] | null {
    if (checkpoint.seq <= this.stable.seq) return null;
    const held = this.byReplica.get(checkpoint.replica) ?? [];
    if (held.some((c) => c.seq === checkpoint.seq)) return null;
    held.push(checkpoint);
    held.sort((a, b) => b.seq - a.seq);
    if (held.length > HELD_PER_REPLICA) held.length = HELD_PER_REPLICA;
    this.byReplica.set(checkpoint.replica, held);
    const matching: PbftCheckpoint[] = [];
    for (const list of this.byReplica.values()) {
      for (const c of list) {
        if (c.seq === checkpoint.seq && c.stateDigest === checkpoint.stateDigest) matching.push(c);
      }
    }
    return matching.length >= quorum ? matching : null;
  }

  /**
   * The newest sequence number at least `replicas` replicas claim checkpoints at or above
   * (f + 1: one of them is correct, so the claim is true); 0 when none.
   */
  highestClaimed(replicas: number): number {
    const newest: number[] = [];
    for (const list of this.byReplica.values()) if (list[0] !== undefined) newest.push(list[0].seq);
    newest.sort((a, b) => b - a);
    return newest[replicas - 1] ?? 0;
  }

  /** Moves the stable checkpoint up and forgets everything at or below it. */
  makeStable(stable: StableCheckpoint): void {
    this.stable = stable;
    for (const seq of [...this.own.keys()]) if (seq <= stable.seq) this.own.delete(seq);
    for (const [replica, list] of this.byReplica) {
      const kept = list.filter((c) => c.seq > stable.seq);
      if (kept.length === 0) this.byReplica.delete(replica);
      else this.byReplica.set(replica, kept);
    }
  }

  /** A new epoch: its base is the stable checkpoint; the old set's checkpoints count no more. */
  reset(base: StableCheckpoint): void {
    this.stable = base;
    this.own.clear();
    this.byReplica.clear();
  }

  /** Replicas whose checkpoint at `seq` matches `stateDigest`: who to ask for that state. */
  holders(seq: number, stateDigest: string): AgentId[] {
    const out: AgentId[] = [];
    for (const [replica, list] of this.byReplica) {
      if (list.some((c) => c.seq === seq && c.stateDigest === stateDigest)) out.push(replica);
    }
    return out;
  }

  get heldCount(): number {
    let count = 0;
    for (const list of this.byReplica.values()) count += list.length;
    return count;
  }
}
