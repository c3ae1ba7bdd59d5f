import type { AgentId } from '../core/base/ids';
import { entryWireBytes } from '../core/raft/log';
import type { RaftAppendMessage, RaftMessage } from '../core/wire/raftMessages';

export interface OutboxLimits {
  maxEntriesPerAppend: number;
  maxAppendBytes: number;
}

/**
 * The Raft messages of one batch of effects, sent together: per peer in the order they were
 * made (links are ordered per peer; across peers order means nothing), with consecutive appends
 * to one peer that follow on from each other joined into one, within the append limits. A
 * leader under load, whose appends wait behind its own writes, so sends one append per
 * follower per write instead of one per proposal, and each follower stores and answers once.
 */
export class RaftOutbox {
  private readonly byPeer = new Map<AgentId, RaftMessage[]>();
  /** The entry bytes of each queued append, so joining does not count them again. */
  private readonly appendBytes = new WeakMap<RaftAppendMessage, number>();

  constructor(private readonly limits: OutboxLimits) {}

  get size(): number {
    let count = 0;
    for (const messages of this.byPeer.values()) count += messages.length;
    return count;
  }

  add(to: AgentId, msg: RaftMessage): void {
    const queued = this.byPeer.get(to);
    if (queued === undefined) {
      this.byPeer.set(to, [msg]);
      return;
    }
    const last = queued[queued.length - 1] as RaftMessage;
    const joined =
      last.type === 'raft-append' && msg.type === 'raft-append' ? this.join(last, msg) : null;
    if (joined === null) queued.push(msg);
    else queued[queued.length - 1] = joined;
  }

  /** Hands every message to `send`, peer by peer, and empties the outbox. */
  flush(send: (to: AgentId, msg: RaftMessage) => void): void {
    const batches = [...this.byPeer];
    this.byPeer.clear();
    for (const [to, messages] of batches) for (const msg of messages) send(to, msg);
  }

  /** `a` then `b` as one append, or null when they do not follow on or would pass the limits. */
  private join(a: RaftAppendMessage, b: RaftAppendMessage): RaftAppendMessage | null {
    if (a.term !== b.term || b.prevIndex !== a.prevIndex + a.entries.length) return null;
    if (a.entries.length + b.entries.length > this.limits.maxEntriesPerAppend) return null;
    const bytes = this.bytesOf(a) + this.bytesOf(b);
    if (bytes > this.limits.maxAppendBytes && a.entries.length > 0 && b.entries.length > 0)
      return null;
    const joined: RaftAppendMessage = {
      type: 'raft-append',
      term: a.term,
      prevIndex: a.prevIndex,
      prevTerm: a.prevTerm,
      entries: [...a.entries, ...b.entries],
      // The later message knows at least as much: its commit and round are never behind.
      commit: Math.max(a.commit, b.commit),
      round: Math.max(a.round, b.round),
    };
    this.appendBytes.set(joined, bytes);
    return joined;
  }

  private bytesOf(msg: RaftAppendMessage): number {
    let bytes = this.appendBytes.get(msg);
    if (bytes === undefined) {
      bytes = 0;
      for (const entry of msg.entries) bytes += entryWireBytes(entry);
      this.appendBytes.set(msg, bytes);
    }
    return bytes;
  }
}
