import { describe, expect, it } from 'vitest';
import type { AgreedWrite, AgreementHook } from '../../crdt/memory/memoryStore';
import { tieredAgreement } from './agreementHook';

/** A hook that records what reached it and answers with its own name. */
function namedHook(name: string) {
  const writes: AgreedWrite[] = [];
  const listeners = new Set<() => void>();
  const hook: AgreementHook = {
    propose: (write) => {
      writes.push(write);
      return Promise.resolve(name);
    },
    entries: (namespace) => [
      {
        namespace,
        key: name,
        value: null,
        writer: name,
        writtenAtMs: 0,
        expiresAtMs: null,
        stamp: { ms: 0, counter: 0, writer: name },
      },
    ],
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { hook, writes, changed: () => listeners.forEach((l) => l()) };
}

const write = (namespace: string): AgreedWrite => ({
  action: 'store',
  namespace,
  key: 'k',
  value: 1,
  ttlSeconds: null,
});

describe('tieredAgreement', () => {
  it('sends each namespace to the tier that owns it, for writes and reads', async () => {
    const pbft = namedHook('pbft');
    const raft = namedHook('raft');
    const hook = tieredAgreement([
      { namespaces: ['critical'], hook: pbft.hook },
      { namespaces: ['ledger', 'jobs'], hook: raft.hook },
    ]);
    expect(await hook.propose(write('jobs'))).toBe('raft');
    expect(await hook.propose(write('critical'))).toBe('pbft');
    expect(raft.writes.map((w) => w.namespace)).toEqual(['jobs']);
    expect(hook.entries('ledger', 0).map((e) => e.key)).toEqual(['raft']);
    expect(hook.entries('critical', 0).map((e) => e.key)).toEqual(['pbft']);
    expect(hook.entries('elsewhere', 0)).toEqual([]);
    await expect(hook.propose(write('elsewhere'))).rejects.toThrow('in no consensus tier');
  });

  it('tells of a change in either tier, until unsubscribed', () => {
    const pbft = namedHook('pbft');
    const raft = namedHook('raft');
    const hook = tieredAgreement([
      { namespaces: ['a'], hook: pbft.hook },
      { namespaces: ['b'], hook: raft.hook },
    ]);
    let calls = 0;
    const unsubscribe = hook.onChange(() => calls++);
    pbft.changed();
    raft.changed();
    unsubscribe();
    raft.changed();
    expect(calls).toBe(2);
  });

  it('refuses a namespace claimed by two tiers', () => {
    const one = namedHook('one').hook;
    expect(() =>
      tieredAgreement([
        { namespaces: ['x'], hook: one },
        { namespaces: ['x'], hook: one },
      ]),
    ).toThrow('namespace x is in two consensus tiers');
  });
});
