import type { AgreedWrite, AgreementHook } from '../../crdt/memory/memoryStore';
import type { MemoryEntry } from '../../crdt/memory/memoryIndex';
import type { Clock } from '../../host/ports';
import { MEMORY_STATE, namespaceSlot, type AgreedMemoryState } from './builtinKinds';
import type { Critical } from './critical';

/**
 * The memory store's agreed namespaces over `mesh.critical`: a write is a `memory.store` or
 * `memory.delete` action and resolves once committed and executed here; reads come from the
 * replicated state, so they follow the agreed order and nothing outside it can write them.
 */
export function agreedMemoryHook(critical: Critical, clock: Clock): AgreementHook {
  const listeners = new Set<() => void>();
  critical.onExecuted((entry) => {
    if (entry.kind !== 'memory.store' && entry.kind !== 'memory.delete') return;
    for (const listener of listeners) listener();
  });
  return {
    propose: async (write: AgreedWrite) => {
      const atMs = clock.nowMs();
      const action =
        write.action === 'store'
          ? {
              kind: 'memory.store',
              namespace: write.namespace,
              key: write.key,
              value: write.value,
              ttlSeconds: write.ttlSeconds,
              atMs,
            }
          : { kind: 'memory.delete', namespace: write.namespace, key: write.key, atMs };
      return (await critical.propose(action)).result;
    },
    entries: (namespace: string, nowMs: number): MemoryEntry[] => {
      const state = critical.app.stateOf(MEMORY_STATE) as Partial<AgreedMemoryState>;
      const records = state.entries?.[namespaceSlot(namespace)] ?? {};
      const out: MemoryEntry[] = [];
      for (const [slot, record] of Object.entries(records)) {
        if (record.x !== null && nowMs >= record.x) continue;
        out.push({
          namespace,
          key: slot.slice(2),
          value: record.v,
          writer: record.w,
          writtenAtMs: record.at,
          expiresAtMs: record.x,
          // The sequence number orders agreed writes: it stands in the stamp's counter.
          stamp: { ms: record.at, counter: record.seq, writer: record.w },
        });
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    onChange: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
