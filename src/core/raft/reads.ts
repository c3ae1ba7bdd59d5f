import type { AgentId } from '../base/ids';

/** A ReadIndex request: `from` null for this node's own caller. */
export interface PendingRead {
  id: number;
  from: AgentId | null;
  /** The commit index when the read arrived: the read must see at least this. */
  index: number;
  /** The heartbeat round a majority must acknowledge to prove the leader still leads. */
  round: number;
}

/**
 * The leader's ReadIndex queue (Ongaro's thesis 6.4). A read takes the commit index, then waits
 * until a majority acknowledged a heartbeat sent after it arrived: no newer leader can have
 * committed anything then, so serving at that index is linearizable. Reads that arrive before
 * the leader committed an entry of its own term wait for it (until then its commit index may
 * lag the cluster's).
 */
export class ReadQueue {
  private waitingForTermCommit: { id: number; from: AgentId | null }[] = [];
  private pending: PendingRead[] = [];

  constructor(private readonly max: number) {}

  get size(): number {
    return this.waitingForTermCommit.length + this.pending.length;
  }

  full(): boolean {
    return this.size >= this.max;
  }

  defer(id: number, from: AgentId | null): void {
    this.waitingForTermCommit.push({ id, from });
  }

  /** The deferred reads, taken once the leader committed in its term. */
  takeDeferred(): { id: number; from: AgentId | null }[] {
    const out = this.waitingForTermCommit;
    this.waitingForTermCommit = [];
    return out;
  }

  add(read: PendingRead): void {
    this.pending.push(read);
  }

  /** Reads whose round is at or below `confirmedRound`, in arrival order. */
  takeConfirmed(confirmedRound: number): PendingRead[] {
    let i = 0;
    while (i < this.pending.length && (this.pending[i] as PendingRead).round <= confirmedRound) i++;
    return i === 0 ? [] : this.pending.splice(0, i);
  }

  /** Everything, for a leader that stepped down. */
  takeAll(): { id: number; from: AgentId | null }[] {
    const out = [...this.waitingForTermCommit, ...this.pending];
    this.waitingForTermCommit = [];
    this.pending = [];
    return out;
  }
}
