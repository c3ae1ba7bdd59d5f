import { compareIds, shortId, type AgentId } from '../../core/base/ids';
import type { ProgressState, RaftEvent } from '../../core/raft/types';
import type { LedgerView } from '../../host/ledgerView';
import type { MeshSnapshot } from '../../host/meshSnapshot';

/** Timeline rows shown at most (the host keeps 64 events). */
export const RAFT_TIMELINE_SHOWN = 30;
/** An entry's JSON is cut to this many characters in its row (the full text is the tooltip). */
export const ENTRY_JSON_SHORT_CHARS = 72;

/** The mesh's coordinator as this agent sees it: the Raft leader it follows, and the term. */
export interface Coordinator {
  leader: AgentId;
  term: number;
}

/** The Raft leader this agent follows, or null (no ledger, forming, or between leaders). */
export function selectCoordinator(snapshot: MeshSnapshot): Coordinator | null {
  const status = snapshot.ledger?.status;
  if (status === undefined || status.leader === null) return null;
  return { leader: status.leader, term: status.term };
}

/** How the role reads: "leader", "follower", "learner — …", "forming — <what it waits for>". */
export function ledgerRoleText(view: LedgerView): string {
  switch (view.status.role) {
    case 'forming':
      return view.formingDetail === null ? 'forming' : `forming — ${view.formingDetail}`;
    case 'joining':
      return 'joining — started, waiting for the leader to add it';
    case 'learner':
      return 'learner — receives the log, does not vote';
    case 'pre-candidate':
      return 'pre-candidate — asking whether it could win';
    case 'candidate':
      return 'candidate — asking for votes';
    default:
      return view.status.role;
  }
}

/** One follower's replication as the leader tracks it. */
export interface ProgressRow {
  peer: AgentId;
  learner: boolean;
  matchIndex: number;
  /** The leader's last index: what the follower's match index is measured against. */
  lastIndex: number;
  /** matchIndex / lastIndex in [0, 1] (1 when the log is empty). */
  fraction: number;
  /** Entries the follower lacks. */
  behind: number;
  state: ProgressState;
  inflight: number;
  /** Heard from within the last election timeout. */
  active: boolean;
}

/** One bar per follower, voters before learners, each group by id; empty unless this agent leads. */
export function selectProgressRows(view: LedgerView): ProgressRow[] {
  if (view.status.role !== 'leader') return [];
  const { lastIndex } = view;
  return [...view.progress]
    .sort((x, y) => Number(y.voter) - Number(x.voter) || compareIds(x.peer, y.peer))
    .map((p) => ({
      peer: p.peer,
      learner: !p.voter,
      matchIndex: p.matchIndex,
      lastIndex,
      fraction: lastIndex === 0 ? 1 : Math.min(1, p.matchIndex / lastIndex),
      behind: Math.max(0, lastIndex - p.matchIndex),
      state: p.state,
      inflight: p.inflight,
      active: p.active,
    }));
}

/** One row of the election timeline. */
export interface TimelineRow {
  key: string;
  atMs: number;
  kind: RaftEvent['type'];
  /** What happened, in a few words. */
  title: string;
  /** Why, or what it involved; null when the title says it all. */
  detail: string | null;
  /** The agent the event is about (the leader, the transferee, the snapshot's sender). */
  agent: AgentId | null;
}

function who(id: AgentId, selfId: AgentId): string {
  return id === selfId ? `${shortId(id)} (you)` : shortId(id);
}

function idList(ids: readonly AgentId[]): string {
  return ids.length === 0 ? 'none' : ids.map(shortId).join(', ');
}

function describeEvent(
  event: RaftEvent,
  selfId: AgentId,
): Pick<TimelineRow, 'title' | 'detail' | 'agent'> {
  switch (event.type) {
    case 'raft-election':
      // A pre-vote round asks first whether it could win, without raising the term.
      if (event.preVote)
        return {
          title: `pre-vote for term ${event.term}`,
          detail: 'election timeout',
          agent: null,
        };
      return {
        title: `election for term ${event.term}`,
        detail: event.reason === 'transfer' ? 'leadership transfer' : 'election timeout',
        agent: null,
      };
    case 'raft-leader':
      return {
        title: `${who(event.leader, selfId)} leads term ${event.term}`,
        detail: event.leader === selfId ? 'won the election' : null,
        agent: event.leader,
      };
    case 'raft-step-down':
      return { title: `stepped down in term ${event.term}`, detail: event.reason, agent: null };
    case 'raft-members':
      return {
        title: `members changed at index ${event.index}`,
        detail: `voters ${idList(event.members.voters)}; learners ${idList(event.members.learners)}`,
        agent: null,
      };
    case 'raft-snapshot-installed':
      return {
        title: `snapshot installed up to index ${event.index}`,
        detail: `from ${who(event.from, selfId)}`,
        agent: event.from,
      };
    case 'raft-transfer':
      return {
        title: `transfer to ${who(event.to, selfId)}`,
        detail: event.outcome,
        agent: event.to,
      };
  }
}

/** The timeline newest first, at most `limit` rows. */
export function selectTimelineRows(
  view: LedgerView,
  selfId: AgentId,
  limit = RAFT_TIMELINE_SHOWN,
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (let i = view.timeline.length - 1; i >= 0 && rows.length < limit; i--) {
    const entry = view.timeline[i];
    if (entry === undefined) continue;
    rows.push({
      // The position makes the key unique when two events share a millisecond.
      key: `${i}:${entry.atMs}:${entry.event.type}`,
      atMs: entry.atMs,
      kind: entry.event.type,
      ...describeEvent(entry.event, selfId),
    });
  }
  return rows;
}

/** An entry's JSON text, and the same cut short for its row. */
export function entryJson(entry: unknown): { full: string; short: string } {
  let full: string;
  try {
    full = JSON.stringify(entry) ?? String(entry);
  } catch {
    full = String(entry);
  }
  const short =
    full.length <= ENTRY_JSON_SHORT_CHARS ? full : `${full.slice(0, ENTRY_JSON_SHORT_CHARS - 1)}…`;
  return { full, short };
}

export interface EntryRow {
  index: number;
  term: number;
  json: string;
  jsonShort: string;
}

/** The newest committed entries, newest first. */
export function selectEntryRows(view: LedgerView): EntryRow[] {
  return [...view.recent]
    .sort((x, y) => y.index - x.index)
    .map((record) => {
      const { full, short } = entryJson(record.entry);
      return { index: record.index, term: record.term, json: full, jsonShort: short };
    });
}
