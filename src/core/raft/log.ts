import { assert } from '../base/assert';
import type { RaftEntry } from '../wire/raftMessages';
import { utf8Length } from '../wire/fieldReaders';

/** Bytes an entry's data takes in an append frame (its JSON string form). */
export function entryWireBytes(entry: RaftEntry): number {
  return utf8Length(JSON.stringify(entry.data)) + 48;
}

/**
 * The log after the last snapshot: entries snapshotIndex + 1 .. lastIndex, in memory. The
 * snapshot's (index, term) stands in for the entries it replaced, so the consistency check
 * works at its boundary.
 */
export class RaftLog {
  private entries: RaftEntry[] = [];
  private baseIndex = 0;
  private baseTerm = 0;
  /** Lowest index changed since `takeChangedFrom` was last called (for checkers), or null. */
  private changedFrom: number | null = null;

  get snapshotIndex(): number {
    return this.baseIndex;
  }

  get snapshotTerm(): number {
    return this.baseTerm;
  }

  get length(): number {
    return this.entries.length;
  }

  lastIndex(): number {
    return this.baseIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length === 0 ? this.baseTerm : (this.entries.at(-1) as RaftEntry).term;
  }

  /** The term of the entry at `index`, or -1 when it is compacted away or beyond the end. */
  term(index: number): number {
    if (index === this.baseIndex) return this.baseTerm;
    if (index < this.baseIndex || index > this.lastIndex()) return -1;
    return (this.entries[index - this.baseIndex - 1] as RaftEntry).term;
  }

  entry(index: number): RaftEntry | undefined {
    return this.entries[index - this.baseIndex - 1];
  }

  /** Entries from `from`, at most `maxCount` and (after the first) `maxBytes` of data. */
  slice(from: number, maxCount: number, maxBytes = Infinity): RaftEntry[] {
    assert(from > this.baseIndex, 'slice from a compacted index');
    const out: RaftEntry[] = [];
    let bytes = 0;
    for (let i = from; i <= this.lastIndex() && out.length < maxCount; i++) {
      const entry = this.entry(i) as RaftEntry;
      bytes += entryWireBytes(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  /** Appends entries that follow on from the last one. */
  append(entries: readonly RaftEntry[]): void {
    for (const entry of entries) {
      assert(entry.index === this.lastIndex() + 1, 'entries must follow on');
      assert(entry.term >= this.lastTerm(), 'terms never fall along the log');
      this.entries.push(entry);
      this.markChanged(entry.index);
    }
  }

  /** Drops the entries from `index` on. */
  truncateFrom(index: number): void {
    assert(index > this.baseIndex, 'truncating into the snapshot');
    if (index > this.lastIndex()) return;
    this.entries.length = index - this.baseIndex - 1;
    this.markChanged(index);
  }

  /** Forgets the entries up to `index` (a snapshot now covers them). */
  compactTo(index: number): void {
    assert(index >= this.baseIndex && index <= this.lastIndex(), 'compacting outside the log');
    const term = this.term(index);
    this.entries = this.entries.slice(index - this.baseIndex);
    this.baseIndex = index;
    this.baseTerm = term;
  }

  /** Replaces the whole log with a snapshot's boundary (the log disagreed or was shorter). */
  resetTo(index: number, term: number): void {
    this.entries = [];
    this.baseIndex = index;
    this.baseTerm = term;
    this.markChanged(index);
  }

  /** First index of the run of `term` that ends at `index`, never below `floor`. */
  firstIndexOfTerm(index: number, floor: number): number {
    const term = this.term(index);
    let i = index;
    while (i - 1 > floor && i - 1 > this.baseIndex && this.term(i - 1) === term) i--;
    return i;
  }

  /** Last index holding `term`, or 0 when no entry of it is in the log. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex(); i > this.baseIndex; i--) {
      const t = this.term(i);
      if (t === term) return i;
      if (t < term) return 0;
    }
    return 0;
  }

  /** Lowest index written or dropped since the last call, or null (for the simulator's checks). */
  takeChangedFrom(): number | null {
    const from = this.changedFrom;
    this.changedFrom = null;
    return from;
  }

  private markChanged(index: number): void {
    if (this.changedFrom === null || index < this.changedFrom) this.changedFrom = index;
  }
}
