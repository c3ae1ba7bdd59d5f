import type { AgentId } from '../../core/base/ids';
import type { RaftNode } from '../../core/raft/node';
import type { RaftEntry } from '../../core/wire/raftMessages';

const entryText = (e: RaftEntry): string => `${e.term}:${e.kind}:${e.data}`;

/**
 * Raft's safety properties (Figure 3 of the paper), checked from outside the nodes after every
 * event: election safety (one leader per term), log matching (an index and term name one entry
 * and one history before it), leader completeness (a leader holds every committed entry) and
 * state-machine safety (no two nodes apply different entries at one index).
 */
export class RaftSafetyChecker {
  readonly violations: string[] = [];
  private readonly leaders = new Map<number, AgentId>();
  /** index -> term -> the entry's text and the term before it, as first seen in any log. */
  private readonly logEntries = new Map<number, Map<number, { text: string; prevTerm: number }>>();
  /** index -> the entry applied there, as first applied anywhere. */
  private readonly applied = new Map<number, string>();
  private maxApplied = 0;

  onLeader(term: number, leader: AgentId, node: RaftNode): void {
    const known = this.leaders.get(term);
    if (known !== undefined && known !== leader) this.fail(`two leaders in term ${term}`);
    this.leaders.set(term, leader);
    const log = node.logView;
    for (let i = log.snapshotIndex + 1; i <= this.maxApplied; i++) {
      const text = this.applied.get(i);
      const entry = log.entry(i);
      if (text !== undefined && (entry === undefined || entryText(entry) !== text)) {
        this.fail(`leader of term ${term} lacks committed entry ${i}`);
        return;
      }
    }
  }

  onApplied(entries: readonly RaftEntry[]): void {
    for (const e of entries) {
      const text = entryText(e);
      const known = this.applied.get(e.index);
      if (known === undefined) {
        this.applied.set(e.index, text);
        if (e.index > this.maxApplied) this.maxApplied = e.index;
      } else if (known !== text) this.fail(`two entries applied at ${e.index}`);
    }
  }

  /** Checks the part of a node's log that changed since the last call. */
  afterStep(node: RaftNode): void {
    const log = node.logView;
    const from = log.takeChangedFrom();
    if (from === null) return;
    for (let i = Math.max(from, log.snapshotIndex + 1); i <= log.lastIndex(); i++) {
      const entry = log.entry(i) as RaftEntry;
      const prevTerm = log.term(i - 1);
      let byTerm = this.logEntries.get(i);
      if (byTerm === undefined) {
        byTerm = new Map();
        this.logEntries.set(i, byTerm);
      }
      const known = byTerm.get(entry.term);
      if (known === undefined) byTerm.set(entry.term, { text: entryText(entry), prevTerm });
      else if (
        known.text !== entryText(entry) ||
        (prevTerm >= 0 && known.prevTerm >= 0 && known.prevTerm !== prevTerm)
      ) {
        this.fail(`log matching broken at ${i} (term ${entry.term})`);
      }
    }
  }

  private fail(what: string): void {
    if (this.violations.length < 10) this.violations.push(what);
  }
}
