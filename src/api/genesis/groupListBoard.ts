import { asAgentId, type AgentId } from '../../core/base/ids';
import type { MemoryStore } from '../../crdt/memory/memoryStore';
import { MESH_STATE_NAMESPACE } from '../../crdt/memory/meshStatePublisher';
import type { ReplicaListBoard } from './genesisDriver';

/** Where pBFT's decided replica lists and Raft's decided voter lists are published. */
export const PBFT_LISTS_PREFIX = 'swarm/pbft/replicas/';
export const RAFT_LISTS_PREFIX = 'swarm/raft/voters/';

/**
 * Decided group lists in the shared document, `coordination / <prefix><name>`: a tab that comes
 * later reads the whole list there (gossiped facts carry only its name). Anyone can write the
 * document, so what is read here is checked by the genesis against the name.
 */
export function memoryGroupListBoard(
  memory: MemoryStore,
  prefix: string,
  maxMembers: number,
): ReplicaListBoard {
  return {
    lists: () => {
      const lists = new Map<string, AgentId[]>();
      for (const entry of memory.list(MESH_STATE_NAMESPACE, { prefix, limit: 64 })) {
        const ids = idsOf(entry.value, maxMembers);
        if (ids !== null) lists.set(entry.key.slice(prefix.length), ids);
      }
      return lists;
    },
    publish: (name, members) => {
      void memory.store(MESH_STATE_NAMESPACE, prefix + name, [...members]);
    },
  };
}

function idsOf(value: unknown, maxMembers: number): AgentId[] | null {
  if (!Array.isArray(value) || value.length > maxMembers) return null;
  try {
    return value.map((id) => asAgentId(String(id)));
  } catch {
    return null;
  }
}
