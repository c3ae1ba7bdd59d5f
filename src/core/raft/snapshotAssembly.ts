import type { AgentId } from '../base/ids';
import type { RaftMembers, RaftSnapshotMessage } from '../wire/raftMessages';
import type { RaftStoredSnapshot } from './types';

/**
 * A follower's snapshot being received chunk by chunk. Chunks must come in order from offset 0;
 * one out of place is refused and the reply names the offset wanted, so a lost chunk costs one
 * round trip. A new snapshot (other index, or another leader) starts over.
 */
export class SnapshotAssembly {
  private index = -1;
  private term = 0;
  private leader: AgentId | null = null;
  private members: RaftMembers | null = null;
  private parts: string[] = [];
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  /** The offset wanted next for this snapshot (0 for one not under way). */
  nextOffset(from: AgentId, index: number): number {
    return this.leader === from && this.index === index ? this.chars : 0;
  }

  /**
   * Takes a chunk: 'complete' with the snapshot, 'partial', 'out-of-order' or 'too-large'.
   */
  accept(
    from: AgentId,
    m: RaftSnapshotMessage,
  ):
    | { kind: 'complete'; snapshot: RaftStoredSnapshot }
    | { kind: 'partial' | 'out-of-order' | 'too-large' } {
    if (m.offset === 0) {
      this.index = m.index;
      this.term = m.snapshotTerm;
      this.leader = from;
      this.members = m.members;
      this.parts = [];
      this.chars = 0;
    } else if (this.leader !== from || this.index !== m.index || this.chars !== m.offset) {
      return { kind: 'out-of-order' };
    }
    if (this.chars + m.data.length > this.maxChars) {
      this.clear();
      return { kind: 'too-large' };
    }
    this.parts.push(m.data);
    this.chars += m.data.length;
    if (!m.done) return { kind: 'partial' };
    const snapshot: RaftStoredSnapshot = {
      index: this.index,
      term: this.term,
      members: this.members as RaftMembers,
      data: this.parts.join(''),
    };
    this.clear();
    return { kind: 'complete', snapshot };
  }

  clear(): void {
    this.index = -1;
    this.leader = null;
    this.members = null;
    this.parts = [];
    this.chars = 0;
  }
}

/** The chunk of `data` at `offset`, never splitting a surrogate pair. */
export function snapshotChunk(data: string, offset: number, maxChars: number): string {
  let end = Math.min(data.length, offset + maxChars);
  if (end < data.length && end > offset + 1) {
    const unit = data.charCodeAt(end - 1);
    if (unit >= 0xd800 && unit <= 0xdbff) end--;
  }
  return data.slice(offset, end);
}
