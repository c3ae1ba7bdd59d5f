import { compareIds, shortId, type AgentId } from '../../core/base/ids';
import type { MemberStatus, MeshSnapshot, QuorumView } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import type { EventLogState } from './eventsSlice';

export interface MemberRow {
  id: AgentId;
  shortId: string;
  isSelf: boolean;
  status: MemberStatus;
  incarnation: number;
  /** How long ago this agent last changed the member's status (never negative). */
  sinceAgoMs: number;
  /** CPU use 0..1, or null when the member has not gossiped its load. */
  cpu: number | null;
  suspectedBy: { id: AgentId; shortId: string }[];
  reason: string | null;
  /** Alive or suspect, yet not heard within the reach window: cut off, or gone. */
  unheard: boolean;
}

/** Self first, then by id: rows keep their place while statuses change. */
export function selectMemberRows(snapshot: MeshSnapshot): MemberRow[] {
  return snapshot.members
    .map((m) => ({
      id: m.id,
      shortId: shortId(m.id),
      isSelf: m.id === snapshot.selfId,
      status: m.status,
      incarnation: m.incarnation,
      sinceAgoMs: Math.max(0, snapshot.nowMs - m.sinceMs),
      cpu: m.load === null ? null : Math.min(1, Math.max(0, m.load.cpu)),
      suspectedBy: m.suspectedBy.map((id) => ({ id, shortId: shortId(id) })),
      reason: m.reason,
      unheard: !m.self && !m.reached && (m.status === 'alive' || m.status === 'suspect'),
    }))
    .sort((x, y) => (x.isSelf !== y.isSelf ? (x.isSelf ? -1 : 1) : compareIds(x.id, y.id)));
}

export interface QuorumSummary {
  hasQuorum: boolean;
  reachable: number;
  membershipSize: number;
  /** "quorum 3/5" or "no quorum 2/5 — read-only". */
  label: string;
  /** A sentence for the tooltip. */
  explanation: string;
}

export function summariseQuorum(quorum: QuorumView): QuorumSummary {
  const { reachable, membershipSize, hasQuorum } = quorum;
  const needed = Math.floor(membershipSize / 2) + 1;
  const ratio = `${reachable}/${membershipSize}`;
  return {
    hasQuorum,
    reachable,
    membershipSize,
    label: hasQuorum ? `quorum ${ratio}` : `no quorum ${ratio} — read-only`,
    explanation: hasQuorum
      ? `This agent reaches ${reachable} of ${membershipSize} members; a majority is ${needed}.`
      : `This agent reaches only ${reachable} of ${membershipSize} members; a majority is ${needed}. ` +
        'Writes that need agreement wait until the mesh heals.',
  };
}

/** Membership events are the log's events whose kind starts with this. */
export const MEMBER_EVENT_PREFIX = 'member-';

const STATUS_OF_KIND: Readonly<Record<string, MemberStatus>> = {
  'member-joined': 'alive',
  'member-alive': 'alive',
  'member-refuted': 'alive',
  'member-suspect': 'suspect',
  'member-dead': 'dead',
  'member-left': 'left',
};

/** The status a membership event moves its member to, or null for kinds that change none. */
export function statusOfMemberEvent(kind: string): MemberStatus | null {
  return STATUS_OF_KIND[kind] ?? null;
}

export function isMemberEvent(event: MeshEvent): boolean {
  return event.kind.startsWith(MEMBER_EVENT_PREFIX);
}

export interface TimelineRow {
  /** Position in everything ever logged; a stable React key. */
  seq: number;
  atMs: number;
  kind: string;
  peer: AgentId | null;
  /** The member's status before this event, when an earlier event in the log says so. */
  from: MemberStatus | null;
  /** The status the event moves the member to, or null for kinds that change none. */
  to: MemberStatus | null;
  reason: string | null;
}

/** The membership events of the log, newest first, each with the status it left behind. */
export function selectTimelineRows(log: EventLogState): TimelineRow[] {
  const last = new Map<string, MemberStatus>();
  const rows: TimelineRow[] = [];
  log.events.forEach((event, i) => {
    if (!isMemberEvent(event)) return;
    const to = statusOfMemberEvent(event.kind);
    const peer = event.peer ?? null;
    const from = peer === null ? null : (last.get(peer) ?? null);
    if (peer !== null && to !== null) last.set(peer, to);
    rows.push({
      seq: log.droppedEvents + i,
      atMs: event.atMs,
      kind: event.kind,
      peer,
      from,
      to,
      reason: event.detail ?? null,
    });
  });
  return rows.reverse();
}

export interface LaneSegment {
  fromMs: number;
  toMs: number;
  status: MemberStatus;
}

export interface LaneMark {
  seq: number;
  atMs: number;
  kind: string;
  to: MemberStatus | null;
  reason: string | null;
}

export interface Lane {
  id: AgentId;
  shortId: string;
  isSelf: boolean;
  segments: LaneSegment[];
  marks: LaneMark[];
}

export interface Lanes {
  startMs: number;
  endMs: number;
  lanes: Lane[];
  /** Members left out to keep the chart readable. */
  hidden: number;
}

/** The chart always spans at least this much time, so a single event is not squeezed to a dot. */
export const MIN_LANE_SPAN_MS = 30_000;
export const MAX_LANES = 12;

/**
 * One lane per member (self first, then members of the view, then others seen only in events),
 * with a status segment from each membership event to the next and a mark at each event. Before
 * a member's first event in the log its status is unknown (no segment), unless there are no
 * events for it at all: then its current status fills the lane.
 */
export function selectLanes(snapshot: MeshSnapshot, rows: readonly TimelineRow[]): Lanes {
  const chronological = [...rows].reverse();
  const lastEventMs = chronological.at(-1)?.atMs ?? snapshot.nowMs;
  const endMs = Math.max(snapshot.nowMs, lastEventMs);
  const firstEventMs = chronological[0]?.atMs ?? endMs;
  const startMs = Math.min(firstEventMs, endMs - MIN_LANE_SPAN_MS);

  const ids: AgentId[] = [];
  const seen = new Set<AgentId>();
  const add = (id: AgentId) => {
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  };
  const members = [...snapshot.members].sort((x, y) =>
    x.id === snapshot.selfId ? -1 : y.id === snapshot.selfId ? 1 : compareIds(x.id, y.id),
  );
  for (const m of members) add(m.id);
  for (const row of chronological) if (row.peer !== null) add(row.peer);
  const current = new Map(snapshot.members.map((m) => [m.id, m.status]));

  const lanes = ids.slice(0, MAX_LANES).map((id): Lane => {
    const own = chronological.filter((row) => row.peer === id);
    const segments: LaneSegment[] = [];
    const changes = own.filter((row) => row.to !== null);
    if (changes.length === 0) {
      const status = current.get(id);
      if (status !== undefined) segments.push({ fromMs: startMs, toMs: endMs, status });
    }
    changes.forEach((row, i) => {
      const next = changes[i + 1];
      segments.push({
        fromMs: row.atMs,
        toMs: next?.atMs ?? endMs,
        status: row.to as MemberStatus,
      });
    });
    return {
      id,
      shortId: shortId(id),
      isSelf: id === snapshot.selfId,
      segments,
      marks: own.map((row) => ({
        seq: row.seq,
        atMs: row.atMs,
        kind: row.kind,
        to: row.to,
        reason: row.reason,
      })),
    };
  });
  return { startMs, endMs, lanes, hidden: Math.max(0, ids.length - MAX_LANES) };
}
