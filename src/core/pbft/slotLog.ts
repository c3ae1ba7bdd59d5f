import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { PbftHeader, PbftPreparedProof, PbftRequest, PbftVote } from '../wire/pbftMessages';

/** One sequence number's agreement in the current view, and what survives a view change. */
export interface Slot {
  seq: number;
  /** The view of `header`; votes below are for this view only. */
  view: number;
  header: PbftHeader | null;
  /** The batch behind the header's digest, once this replica has it. */
  requests: PbftRequest[] | null;
  /** Prepares of this view by replica (they may come before the header; only matching count). */
  prepares: Map<AgentId, PbftVote>;
  /** Commits of this view: replica -> digest. */
  commits: Map<AgentId, string>;
  prepared: boolean;
  /** Committed-local (Castro-Liskov 4.2); survives view changes: the batch is decided. */
  committed: boolean;
  /** The digest decided, once committed. */
  committedDigest: string | null;
  executed: boolean;
  /** The prepared certificate of the newest view this replica prepared the slot in. */
  proof: PbftPreparedProof | null;
  sentPrepare: boolean;
  sentCommit: boolean;
  /** When this replica last sent its votes for the slot, and how many times it re-sent them. */
  sentAtMs: Millis;
  resends: number;
  /** Replicas that were already sent this replica's pre-prepare after a conflicting prepare. */
  answeredConflicts: Set<AgentId>;
}

/** The slots between the low and high watermarks, by sequence number. */
export class SlotLog {
  private readonly slots = new Map<number, Slot>();

  get size(): number {
    return this.slots.size;
  }

  get(seq: number): Slot | undefined {
    return this.slots.get(seq);
  }

  /** The slot for `seq` in `view`: created, or cleared of the votes of an older view. */
  open(seq: number, view: number, nowMs: Millis): Slot {
    let slot = this.slots.get(seq);
    if (slot === undefined) {
      slot = {
        seq,
        view,
        header: null,
        requests: null,
        prepares: new Map(),
        commits: new Map(),
        prepared: false,
        committed: false,
        committedDigest: null,
        executed: false,
        proof: null,
        sentPrepare: false,
        sentCommit: false,
        sentAtMs: nowMs,
        resends: 0,
        answeredConflicts: new Set(),
      };
      this.slots.set(seq, slot);
    } else if (slot.view < view) {
      slot.view = view;
      slot.header = null;
      slot.prepares.clear();
      slot.commits.clear();
      slot.prepared = false;
      slot.sentPrepare = false;
      slot.sentCommit = false;
      slot.resends = 0;
      slot.sentAtMs = nowMs;
      slot.answeredConflicts.clear();
      if (!slot.committed) slot.requests = null;
    }
    return slot;
  }

  /** Forgets every slot at or below `seq` (garbage collection at a stable checkpoint). */
  dropThrough(seq: number): void {
    for (const key of [...this.slots.keys()]) if (key <= seq) this.slots.delete(key);
  }

  /** Every slot, in no particular order. */
  values(): IterableIterator<Slot> {
    return this.slots.values();
  }

  /** Slots in sequence order. */
  sorted(): Slot[] {
    return [...this.slots.values()].sort((a, b) => a.seq - b.seq);
  }
}
