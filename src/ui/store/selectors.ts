import { compareIds, shortId, type AgentId } from '../../core/base/ids';
import type { EdgeView } from '../../core/links/types';
import type { LinkFault, LinkState, MeshSnapshot } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import type { EventLogState } from './eventsSlice';

export interface GraphNode {
  id: AgentId;
  shortId: string;
  isSelf: boolean;
  /** State of this agent's own link to the node; null for self and for nodes known only from adverts. */
  linkState: LinkState | null;
}

export interface GraphEdge {
  /** Stable key of the unordered pair. */
  key: string;
  /** Endpoints ordered by id (a < b), so the same link always reads the same way. */
  a: AgentId;
  b: AgentId;
  rttMs: number | null;
  source: EdgeView['source'];
}

export interface PeerRow {
  id: AgentId;
  shortId: string;
  state: LinkState;
  initiator: boolean;
  rttMs: number | null;
  /** How long the link has been open, null if it is not open. */
  openForMs: number | null;
  fault: LinkFault;
  framesDroppedByFault: number;
}

export interface EventRow {
  /** Position of the event in everything ever logged; a stable React key. */
  seq: number;
  event: MeshEvent;
}

export function pairKey(a: string, b: string): string {
  return compareIds(a, b) <= 0 ? `${a}|${b}` : `${b}|${a}`;
}

/** Self first, then every peer in links or at either end of an edge, each once, by id. */
export function selectGraphNodes(snapshot: MeshSnapshot): GraphNode[] {
  const linkStates = new Map<AgentId, LinkState>();
  for (const link of snapshot.links) linkStates.set(link.peer, link.state);
  const others = new Set<AgentId>(linkStates.keys());
  for (const edge of snapshot.edges) {
    others.add(edge.a);
    others.add(edge.b);
  }
  others.delete(snapshot.selfId);
  const self: GraphNode = {
    id: snapshot.selfId,
    shortId: shortId(snapshot.selfId),
    isSelf: true,
    linkState: null,
  };
  const peers = [...others].sort(compareIds).map((id) => ({
    id,
    shortId: shortId(id),
    isSelf: false,
    linkState: linkStates.get(id) ?? null,
  }));
  return [self, ...peers];
}

function preferred(current: GraphEdge, candidate: EdgeView): boolean {
  if (current.source !== candidate.source) return candidate.source === 'self';
  return current.rttMs === null && candidate.rttMs !== null;
}

/**
 * One edge per unordered pair. When a link is reported twice (own link and a neighbour's
 * advert, or both directions), the own report wins, then the one that knows an RTT.
 * Self-loops are dropped.
 */
export function selectGraphEdges(snapshot: MeshSnapshot): GraphEdge[] {
  const byKey = new Map<string, GraphEdge>();
  for (const edge of snapshot.edges) {
    if (edge.a === edge.b) continue;
    const key = pairKey(edge.a, edge.b);
    const current = byKey.get(key);
    if (current !== undefined && !preferred(current, edge)) continue;
    const [a, b] = compareIds(edge.a, edge.b) <= 0 ? [edge.a, edge.b] : [edge.b, edge.a];
    byKey.set(key, { key, a, b, rttMs: edge.rttMs, source: edge.source });
  }
  return [...byKey.values()].sort((x, y) => compareIds(x.key, y.key));
}

export function selectPeerRows(snapshot: MeshSnapshot): PeerRow[] {
  return snapshot.links
    .filter((link) => link.peer !== snapshot.selfId)
    .map((link) => ({
      id: link.peer,
      shortId: shortId(link.peer),
      state: link.state,
      initiator: link.initiator,
      rttMs: link.rttMs,
      openForMs:
        link.state === 'open' && link.openSinceMs !== null
          ? Math.max(0, snapshot.nowMs - link.openSinceMs)
          : null,
      fault: link.fault,
      framesDroppedByFault: link.framesDroppedByFault,
    }))
    .sort((x, y) => compareIds(x.id, y.id));
}

/** Newest first, each with its absolute sequence number. */
export function selectEventRows(log: EventLogState): EventRow[] {
  const rows: EventRow[] = [];
  for (let i = log.events.length - 1; i >= 0; i--) {
    const event = log.events[i];
    if (event !== undefined) rows.push({ seq: log.droppedEvents + i, event });
  }
  return rows;
}
