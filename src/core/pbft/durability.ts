import type { RecordChanges } from '../base/records';
import type {
  PbftHeader,
  PbftPreparedProof,
  PbftRequest,
  PbftViewChange,
} from '../wire/pbftMessages';
import type { StableCheckpoint } from './checkpoints';
import type { Slot } from './slotLog';

/**
 * What a replica keeps across a restart (part of the README's "Durability"): its view and its
 * own view change (so it never goes back to a view it left), every slot above the stable
 * checkpoint with the header it accepted and the votes it sent (so it never votes twice
 * differently), the batches behind them, and the stable checkpoint with its state. Keys are
 * plain strings for any key-value store (IndexedDB, a file): `meta`, `stable`, `slot:<seq>`,
 * `batch:<digest>`. Values are JSON text.
 */
export type PbftPersist = RecordChanges;

export interface StoredMeta {
  view: number;
  status: 'normal' | 'view-change';
  targetView: number;
  ownViewChange: PbftViewChange | null;
}

export interface StoredSlot {
  seq: number;
  view: number;
  header: PbftHeader | null;
  /** Digest of the batch kept under `batch:<digest>`, or null when the replica has none. */
  batch: string | null;
  proof: PbftPreparedProof | null;
  committedDigest: string | null;
  sentPrepare: boolean;
  sentCommit: boolean;
}

/** Collects what changed during one step; the replica turns it into one persist effect. */
export class DurableChanges {
  private readonly slots = new Map<number, Slot>();
  private meta = false;
  private stable: StableCheckpoint | null = null;
  private readonly dropped = new Set<string>();
  /** Batches already written, by digest, and the slots using each. */
  private readonly writtenBatches = new Map<string, Set<number>>();

  constructor(private readonly nullDigest: string) {}

  touchSlot(slot: Slot): void {
    this.slots.set(slot.seq, slot);
  }

  touchMeta(): void {
    this.meta = true;
  }

  /** A new stable checkpoint: written, and every slot at or below it deleted. */
  touchStable(stable: StableCheckpoint, droppedSeqs: number[]): void {
    this.stable = stable;
    for (const seq of droppedSeqs) {
      this.slots.delete(seq);
      this.dropped.add(`slot:${seq}`);
      for (const [digest, users] of this.writtenBatches) {
        users.delete(seq);
        if (users.size === 0) {
          this.writtenBatches.delete(digest);
          this.dropped.add(`batch:${digest}`);
        }
      }
    }
  }

  /** The step's writes, or null when nothing durable changed. */
  take(meta: () => StoredMeta): PbftPersist | null {
    if (this.slots.size === 0 && !this.meta && this.stable === null && this.dropped.size === 0) {
      return null;
    }
    const puts: PbftPersist['puts'] = [];
    // Batches before the slots naming them, the stable checkpoint before the deletes it allows.
    for (const slot of this.slots.values()) {
      const digest = slot.committedDigest ?? slot.header?.digest ?? null;
      if (digest === null || slot.requests === null || digest === this.nullDigest) continue;
      const users = this.writtenBatches.get(digest);
      if (users === undefined) {
        this.writtenBatches.set(digest, new Set([slot.seq]));
        puts.push({ key: `batch:${digest}`, value: JSON.stringify(slot.requests) });
      } else users.add(slot.seq);
      this.dropped.delete(`batch:${digest}`);
    }
    for (const slot of this.slots.values())
      puts.push({ key: `slot:${slot.seq}`, value: JSON.stringify(storedSlot(slot)) });
    if (this.meta) puts.push({ key: 'meta', value: JSON.stringify(meta()) });
    if (this.stable !== null) puts.push({ key: 'stable', value: JSON.stringify(this.stable) });
    const deletes = [...this.dropped];
    this.slots.clear();
    this.meta = false;
    this.stable = null;
    this.dropped.clear();
    return { puts, deletes };
  }

  /** A stored batch no stored slot names (left from an older view): deleted with the next write. */
  dropStoredBatch(digest: string): void {
    this.dropped.add(`batch:${digest}`);
  }

  /** After a restore: the batches already in storage, so they are not written again. */
  noteStoredBatch(digest: string, seq: number): void {
    const users = this.writtenBatches.get(digest) ?? new Set<number>();
    users.add(seq);
    this.writtenBatches.set(digest, users);
  }
}

function storedSlot(slot: Slot): StoredSlot {
  const digest = slot.committedDigest ?? slot.header?.digest ?? null;
  return {
    seq: slot.seq,
    view: slot.view,
    header: slot.header,
    batch: slot.requests === null ? null : digest,
    proof: slot.proof,
    committedDigest: slot.committedDigest,
    sentPrepare: slot.sentPrepare,
    sentCommit: slot.sentCommit,
  };
}

/** Reads a store's records back; a record that does not parse is skipped (and reported). */
export function readStored(records: ReadonlyMap<string, string>): {
  meta: StoredMeta | null;
  stable: StableCheckpoint | null;
  slots: StoredSlot[];
  batches: Map<string, PbftRequest[]>;
  unreadable: string[];
} {
  const unreadable: string[] = [];
  const parse = <T>(key: string): T | null => {
    const text = records.get(key);
    if (text === undefined) return null;
    try {
      return JSON.parse(text) as T;
    } catch {
      unreadable.push(key);
      return null;
    }
  };
  const slots: StoredSlot[] = [];
  const batches = new Map<string, PbftRequest[]>();
  for (const key of records.keys()) {
    if (key.startsWith('slot:')) {
      const slot = parse<StoredSlot>(key);
      if (slot !== null) slots.push(slot);
    } else if (key.startsWith('batch:')) {
      const batch = parse<PbftRequest[]>(key);
      if (batch !== null) batches.set(key.slice('batch:'.length), batch);
    }
  }
  slots.sort((a, b) => a.seq - b.seq);
  return {
    meta: parse<StoredMeta>('meta'),
    stable: parse<StableCheckpoint>('stable'),
    slots,
    batches,
    unreadable,
  };
}
