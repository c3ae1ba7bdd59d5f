import type { AgentId } from '../base/ids';
import { byzantineFaultsTolerated, byzantineQuorumOf } from '../quorum/byzantine';
import { GENESIS_DIGEST } from './epochs';

/** A configuration's base checkpoint: every replica of it holds this state without a certificate. */
export interface EpochBase {
  seq: number;
  stateDigest: string;
}

export const GENESIS_BASE: EpochBase = { seq: 0, stateDigest: GENESIS_DIGEST };

/**
 * The replica set of a configuration, the quorum arithmetic that follows from it, and the
 * checkpoint its epoch starts from.
 */
export class ReplicaSet {
  readonly n: number;
  readonly f: number;
  readonly quorum: number;
  private readonly members: ReadonlySet<AgentId>;

  constructor(
    readonly ids: readonly AgentId[],
    readonly base: EpochBase = GENESIS_BASE,
  ) {
    this.n = ids.length;
    this.f = byzantineFaultsTolerated(this.n);
    this.quorum = byzantineQuorumOf(this.n);
    this.members = new Set(ids);
  }

  has(id: AgentId): boolean {
    return this.members.has(id);
  }

  /** The primary of a view: replicas take turns in their configured order (view mod n). */
  primaryOf(view: number): AgentId {
    return this.ids[view % this.n] as AgentId;
  }

  /** Every replica but `self`. */
  others(self: AgentId): AgentId[] {
    return this.ids.filter((id) => id !== self);
  }
}
