import type { AgreedMemoryTier } from '../agreed/agreementHook';
import { MEMORY_STATE } from './builtinKinds';
import type { Critical } from './critical';

/**
 * The pBFT tier of the agreed memory: a write is a `memory.store` or `memory.delete` critical
 * action (Byzantine fault tolerant: a lying minority can neither forge nor reorder it).
 */
export function criticalMemoryTier(critical: Critical): AgreedMemoryTier {
  const listeners = new Set<() => void>();
  critical.onExecuted((entry) => {
    if (entry.kind !== 'memory.store' && entry.kind !== 'memory.delete') return;
    for (const listener of listeners) listener();
  });
  return {
    commit: async (action, write) =>
      (await critical.propose({ kind: `memory.${action}`, ...write })).result,
    state: () => critical.app.stateOf(MEMORY_STATE),
    onApplied: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
