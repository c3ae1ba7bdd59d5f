import type { AgreedWrite, AgreementHook } from '../../crdt/memory/memoryStore';
import type { Clock } from '../../host/ports';
import { agreedEntries, type AgreedMemoryState, type AgreedMemoryWrite } from './agreedMemoryState';

/** What a consensus tier gives the agreed memory: a way to order writes and the state they made. */
export interface AgreedMemoryTier {
  /** Resolves with the write's outcome once it is committed and applied on this agent. */
  commit(action: 'store' | 'delete', write: AgreedMemoryWrite): Promise<unknown>;
  /** The agreed memory state as this agent applied it. */
  state(): Partial<AgreedMemoryState>;
  /** Called after every applied memory write; returns the unsubscribe. */
  onApplied(listener: () => void): () => void;
}

/**
 * The memory store's agreement hook over one tier: a write resolves once committed and applied
 * here; reads come from the replicated state, so they follow the agreed order and nothing
 * outside it can write them. The proposer's clock stamps the write, so expiry is alike everywhere.
 */
export function agreementHookOf(tier: AgreedMemoryTier, clock: Clock): AgreementHook {
  return {
    propose: (write: AgreedWrite) => {
      const base = { namespace: write.namespace, key: write.key, atMs: clock.nowMs() };
      return write.action === 'store'
        ? tier.commit('store', { ...base, value: write.value, ttlSeconds: write.ttlSeconds })
        : tier.commit('delete', base);
    },
    entries: (namespace, nowMs) => agreedEntries(tier.state(), namespace, nowMs),
    onChange: (listener) => tier.onApplied(listener),
  };
}

/** One hook in front of several: each namespace's writes and reads go to the tier that owns it. */
export function tieredAgreement(
  tiers: readonly { namespaces: readonly string[]; hook: AgreementHook }[],
): AgreementHook {
  const owner = new Map<string, AgreementHook>();
  for (const { namespaces, hook } of tiers) {
    for (const namespace of namespaces) {
      if (owner.has(namespace)) throw new Error(`namespace ${namespace} is in two consensus tiers`);
      owner.set(namespace, hook);
    }
  }
  const hookOf = (namespace: string): AgreementHook => {
    const hook = owner.get(namespace);
    if (hook === undefined) throw new Error(`namespace ${namespace} is in no consensus tier`);
    return hook;
  };
  return {
    propose: async (write) => hookOf(write.namespace).propose(write),
    entries: (namespace, nowMs) => owner.get(namespace)?.entries(namespace, nowMs) ?? [],
    onChange: (listener) => {
      const unsubscribes = tiers.map(({ hook }) => hook.onChange(listener));
      return () => {
        for (const unsubscribe of unsubscribes) unsubscribe();
      };
    },
  };
}
