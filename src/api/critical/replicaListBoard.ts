import { asAgentId, type AgentId } from '../../core/base/ids';
import type { MemoryStore } from '../../crdt/memory/memoryStore';
import { MESH_STATE_NAMESPACE } from '../../crdt/memory/meshStatePublisher';
import { PBFT_MAX_REPLICAS } from '../../core/wire/pbftMessages';
import type { ReplicaListBoard } from './genesisDriver';

const PREFIX = 'swarm/pbft/replicas/';

/**
 * Decided replica lists in the shared document, `coordination / swarm/pbft/replicas/<name>`:
 * a tab that comes later reads the whole list there (gossiped facts carry only its name). Anyone
 * can write the document, so what is read here is checked by the genesis against the name.
 */
export function memoryReplicaListBoard(memory: MemoryStore): ReplicaListBoard {
  return {
    lists: () => {
      const lists = new Map<string, AgentId[]>();
      for (const entry of memory.list(MESH_STATE_NAMESPACE, { prefix: PREFIX, limit: 64 })) {
        const ids = replicaIdsOf(entry.value);
        if (ids !== null) lists.set(entry.key.slice(PREFIX.length), ids);
      }
      return lists;
    },
    publish: (name, replicas) => {
      void memory.store(MESH_STATE_NAMESPACE, PREFIX + name, [...replicas]);
    },
  };
}

function replicaIdsOf(value: unknown): AgentId[] | null {
  if (!Array.isArray(value) || value.length > PBFT_MAX_REPLICAS) return null;
  try {
    return value.map((id) => asAgentId(String(id)));
  } catch {
    return null;
  }
}
