import type { AgentId } from '../../core/base/ids';
import type { MeshSnapshot } from '../../host/meshSnapshot';
import type { JsonValue } from './slot';

export const MESH_STATE_NAMESPACE = 'coordination';
export const MESH_STATE_KEY = 'swarm/mesh/state';

export type PartitionStatus = 'healthy' | 'partitioned' | 'minority';

/**
 * The mesh's own state as the spec shapes it. `consensus_level` is the share of the agreed
 * membership this side reaches; `partition_status` is healthy when it reaches all of it,
 * partitioned when it reaches a quorum but not all, minority when agreement-based state must go
 * read-only.
 */
export function meshStateOf(snapshot: MeshSnapshot): { [key: string]: JsonValue } {
  const alive = snapshot.members.filter((m) => m.status === 'alive').map((m) => m.id);
  if (!alive.includes(snapshot.selfId)) alive.push(snapshot.selfId);
  alive.sort();
  const { reachable, membershipSize, hasQuorum } = snapshot.quorum;
  const level = membershipSize === 0 ? 1 : Math.min(1, reachable / membershipSize);
  const status: PartitionStatus =
    !hasQuorum && membershipSize > 0
      ? 'minority'
      : reachable < membershipSize
        ? 'partitioned'
        : 'healthy';
  return {
    topology: 'mesh',
    peers: alive,
    links: snapshot.links.filter((l) => l.state === 'open').length,
    consensus_level: Math.round(level * 100) / 100,
    partition_status: status,
    membership_size: membershipSize,
  };
}

/**
 * One agent per side of the mesh writes the state: the coordinator (the Raft leader) when this
 * side holds a majority and follows one, else the alive member with the lowest id this agent
 * sees (itself included): before the Raft group formed, and on a minority side. Both sides of a
 * partition publish their own view; the later write wins after healing, and the next round
 * rewrites it from the merged view.
 */
export function isMeshStatePublisher(
  snapshot: MeshSnapshot,
  coordinator: AgentId | null = null,
): boolean {
  if (coordinator !== null && snapshot.quorum.hasQuorum) return coordinator === snapshot.selfId;
  let lowest: AgentId = snapshot.selfId;
  for (const member of snapshot.members) {
    if (member.status === 'alive' && member.id < lowest) lowest = member.id;
  }
  return lowest === snapshot.selfId;
}
