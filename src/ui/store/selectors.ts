import { compareIds, shortId, type AgentId } from '../../core/base/ids';
import type { EdgeView } from '../../core/links/types';
import type { LinkFault, LinkState, MeshSnapshot } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import type { NodeHealth } from '../charts/palette';
import type { EventLogState } from './eventsSlice';

export interface GraphNode {
  id: AgentId;
  shortId: string;
  isSelf: boolean;
  /** State of this agent's own link to the node; null for self and for nodes known only from adverts. */
  linkState: LinkState | null;
  /** Membership status in this agent's view; 'unknown' when the node is not (yet) a member. */
  health: NodeHealth;
  /** How many members reported the current suspicion (0 unless suspect). */
  suspicions: number;
  /** Why the member has its status (from the membership view), if known. */
  reason: string | null;
  /** This agent, under a freeze that has not ended yet. */
  frozen: boolean;
  /** The node's group in the active partition (0 = this agent's group), or null. */
  island: number | null;
}

export interface GraphEdge {
  /** Stable key of the unordered pair. */
  key: string;
  /** Endpoints ordered by id (a < b), so the same link always reads the same way. */
  a: AgentId;
  b: AgentId;
  rttMs: number | null;
  source: EdgeView['source'];
  /** No traffic passes: this agent's own link is cut, or the ends are in different islands. */
  cut: boolean;
  /** This agent's fault settings on the link (own links only), else null. */
  fault: LinkFault | null;
  /** Drawn to show a cut that no live report covers any more (the link went down with it). */
  synthetic: boolean;
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

/** Most cut links drawn between islands that no live report covers; bounds a large mesh. */
export const MAX_SYNTHETIC_CUT_EDGES = 64;

/** Group index of every agent in the active partition (0 = this agent's group). */
export function islandIndex(snapshot: MeshSnapshot): Map<AgentId, number> {
  const islands = new Map<AgentId, number>();
  snapshot.chaos.partition?.forEach((group, index) => {
    for (const id of group) if (!islands.has(id)) islands.set(id, index);
  });
  return islands;
}

/** True when the snapshot carries a membership view at all (the protocol has run). */
export function membershipKnown(snapshot: MeshSnapshot): boolean {
  return snapshot.members.length > 0;
}

/**
 * Every agent the graph draws, self first then by id: linked peers, edge endpoints, and members
 * that have not left (a dead member stays visible, in red, until the view forgets it).
 */
export function graphNodeIds(snapshot: MeshSnapshot): AgentId[] {
  const others = new Set<AgentId>();
  for (const link of snapshot.links) others.add(link.peer);
  for (const edge of snapshot.edges) {
    others.add(edge.a);
    others.add(edge.b);
  }
  for (const member of snapshot.members) if (member.status !== 'left') others.add(member.id);
  others.delete(snapshot.selfId);
  return [snapshot.selfId, ...[...others].sort(compareIds)];
}

/** Self first, then every other agent of graphNodeIds, each with its link state and health. */
export function selectGraphNodes(snapshot: MeshSnapshot): GraphNode[] {
  const linkStates = new Map<AgentId, LinkState>();
  for (const link of snapshot.links) linkStates.set(link.peer, link.state);
  const members = new Map(snapshot.members.map((m) => [m.id, m]));
  const islands = islandIndex(snapshot);
  const frozenUntil = snapshot.chaos.frozenUntilMs;
  return graphNodeIds(snapshot).map((id) => {
    const isSelf = id === snapshot.selfId;
    const member = members.get(id);
    const health: NodeHealth = member?.status ?? 'unknown';
    return {
      id,
      shortId: shortId(id),
      isSelf,
      linkState: isSelf ? null : (linkStates.get(id) ?? null),
      health,
      suspicions: health === 'suspect' ? (member?.suspectedBy.length ?? 0) : 0,
      reason: member?.reason ?? null,
      frozen: isSelf && frozenUntil !== null && frozenUntil > snapshot.nowMs,
      island: islands.get(id) ?? null,
    };
  });
}

function preferred(current: GraphEdge, candidate: EdgeView): boolean {
  if (current.source !== candidate.source) return candidate.source === 'self';
  return current.rttMs === null && candidate.rttMs !== null;
}

function ordered(a: AgentId, b: AgentId): [AgentId, AgentId] {
  return compareIds(a, b) <= 0 ? [a, b] : [b, a];
}

function syntheticCut(a: AgentId, b: AgentId, source: EdgeView['source']): GraphEdge {
  const [x, y] = ordered(a, b);
  return {
    key: pairKey(x, y),
    a: x,
    b: y,
    rttMs: null,
    source,
    cut: true,
    fault: null,
    synthetic: true,
  };
}

/**
 * One edge per unordered pair. When a link is reported twice (own link and a neighbour's
 * advert, or both directions), the own report wins, then the one that knows an RTT.
 * Self-loops are dropped. Own links carry their fault; a link is cut when its own fault says so
 * or when its ends are in different islands of the active partition. Cuts that no live report
 * covers (the link went down with the cut) are added as synthetic edges: every own link whose
 * fault is cut, then every pair across islands among the drawn agents (own pairs first), at most
 * MAX_SYNTHETIC_CUT_EDGES of the latter.
 */
export function selectGraphEdges(snapshot: MeshSnapshot): GraphEdge[] {
  const self = snapshot.selfId;
  const byKey = new Map<string, GraphEdge>();
  for (const edge of snapshot.edges) {
    if (edge.a === edge.b) continue;
    const key = pairKey(edge.a, edge.b);
    const current = byKey.get(key);
    if (current !== undefined && !preferred(current, edge)) continue;
    const [a, b] = ordered(edge.a, edge.b);
    byKey.set(key, {
      key,
      a,
      b,
      rttMs: edge.rttMs,
      source: edge.source,
      cut: false,
      fault: null,
      synthetic: false,
    });
  }
  for (const link of snapshot.links) {
    if (link.peer === self) continue;
    const key = pairKey(self, link.peer);
    const edge = byKey.get(key);
    if (edge !== undefined) byKey.set(key, { ...edge, fault: link.fault, cut: link.fault.cut });
    else if (link.fault.cut)
      byKey.set(key, { ...syntheticCut(self, link.peer, 'self'), fault: link.fault });
  }
  const islands = islandIndex(snapshot);
  if (islands.size > 0) {
    const across = (a: AgentId, b: AgentId) => {
      const x = islands.get(a);
      const y = islands.get(b);
      return x !== undefined && y !== undefined && x !== y;
    };
    for (const [key, edge] of byKey)
      if (across(edge.a, edge.b)) byKey.set(key, { ...edge, cut: true });
    const ids = graphNodeIds(snapshot).filter((id) => islands.has(id));
    let added = 0;
    // ids starts with self, so this agent's own cut links come first.
    for (let i = 0; i < ids.length && added < MAX_SYNTHETIC_CUT_EDGES; i++) {
      for (let j = i + 1; j < ids.length && added < MAX_SYNTHETIC_CUT_EDGES; j++) {
        const a = ids[i] as AgentId;
        const b = ids[j] as AgentId;
        const key = pairKey(a, b);
        if (!across(a, b) || byKey.has(key)) continue;
        byKey.set(key, syntheticCut(a, b, a === self || b === self ? 'self' : 'peer'));
        added++;
      }
    }
  }
  return [...byKey.values()].sort((x, y) => compareIds(x.key, y.key));
}

/** The drawn agents of each island of the active partition, in partition order. */
export function selectIslands(nodes: readonly GraphNode[]): { index: number; ids: AgentId[] }[] {
  const islands: { index: number; ids: AgentId[] }[] = [];
  for (const node of nodes) {
    if (node.island === null) continue;
    let island = islands.find((i) => i.index === node.island);
    if (island === undefined) {
      island = { index: node.island, ids: [] };
      islands.push(island);
    }
    island.ids.push(node.id);
  }
  return islands.sort((x, y) => x.index - y.index);
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
