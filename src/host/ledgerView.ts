import type { AgentId } from '../core/base/ids';
import type { RaftEvent, RaftProgressView, RaftRole } from '../core/raft/types';
import type { LedgerRecord } from './ledgerMachine';

/**
 * This agent's place in the Raft group: a Raft role, `learner` (receives the log, does not
 * vote), `joining` (started, not yet added by the leader) or `forming` (no group yet).
 */
export type LedgerRole = RaftRole | 'learner' | 'joining' | 'forming';

/** What `mesh.ledger.status()` returns, as this agent sees it. */
export interface LedgerStatus {
  role: LedgerRole;
  term: number;
  /** The leader this agent follows: the mesh's coordinator. */
  leader: AgentId | null;
  commitIndex: number;
  appliedIndex: number;
  voters: AgentId[];
  learners: AgentId[];
}

/** One Raft event as the election timeline shows it. */
export interface LedgerTimelineEntry {
  atMs: number;
  event: RaftEvent;
}

/** What the dashboard shows of the ledger (the Raft tab, the header, the graph). */
export interface LedgerView {
  status: LedgerStatus;
  formingDetail: string | null;
  /** The leader's view of each follower: match index, state, in-flight appends. */
  progress: RaftProgressView[];
  lastIndex: number;
  snapshotIndex: number;
  /** Elections, leaders, step-downs, transfers, membership changes: newest last, bounded. */
  timeline: LedgerTimelineEntry[];
  /** The newest committed entries. */
  recent: LedgerRecord[];
  pendingOperations: number;
}

/** What the Raft tab may ask of the agent. */
export interface LedgerCommands {
  /** Hands leadership to `to` (only the leader can); resolves once `to` leads. */
  transferLeadership(to: AgentId): Promise<{ leader: AgentId; term: number }>;
}
