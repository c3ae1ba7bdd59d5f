import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { LedgerMachine } from '../../host/ledgerMachine';
import { runFor, settle } from '../../host/testClock';
import { agreedEntries } from '../agreed/agreedMemoryState';
import { RaftMemory } from './raftMemory';
import { A, B, C, ledgerMesh } from './testLedgerMesh';

const THREE = [A, B, C];

async function memoryMesh() {
  const memories = new Map<AgentId, RaftMemory>();
  const mesh = ledgerMesh(THREE, {
    extensions: (id) => {
      const memory = new RaftMemory();
      memories.set(id, memory);
      return [memory];
    },
  });
  mesh.start();
  await runFor(mesh.clock, 2000);
  const tier = (id: AgentId) => memories.get(id)!.tier(mesh.of(id), id);
  return { ...mesh, memories, tier };
}

describe('the Raft tier of the agreed memory', () => {
  it('a write from any agent commits and lands alike everywhere, naming its writer', async () => {
    const mesh = await memoryMesh();
    let changes = 0;
    mesh.tier(A).onApplied(() => changes++);
    const write = { namespace: 'ledger', key: 'job', value: { n: 1 }, ttlSeconds: 60, atMs: 1000 };
    const stored = await settle(mesh.tier(B).commit('store', write), mesh.clock);
    expect(stored).toEqual({ ok: true, value: { stored: true } });
    await runFor(mesh.clock, 200);
    for (const id of THREE) {
      expect(agreedEntries(mesh.tier(id).state(), 'ledger', 2000)).toMatchObject([
        { key: 'job', value: { n: 1 }, writer: B, expiresAtMs: 61_000 },
      ]);
      // Expired by the proposer's clock plus the TTL, on every agent alike.
      expect(agreedEntries(mesh.tier(id).state(), 'ledger', 61_000)).toEqual([]);
    }
    expect(changes).toBe(1);
    const deleted = await settle(
      mesh.tier(C).commit('delete', { namespace: 'ledger', key: 'job', atMs: 2000 }),
      mesh.clock,
    );
    expect(deleted).toEqual({ ok: true, value: { existed: true } });
    const again = await settle(
      mesh.tier(C).commit('delete', { namespace: 'ledger', key: 'job', atMs: 2001 }),
      mesh.clock,
    );
    expect(again).toEqual({ ok: true, value: { existed: false } });
  });

  it('refuses a malformed write before proposing it', async () => {
    const mesh = await memoryMesh();
    const bad = await settle(
      mesh.tier(A).commit('store', { namespace: 'no spaces', key: 'k', value: 1, atMs: 0 }),
      mesh.clock,
    );
    expect(bad).toEqual({ ok: false, code: 'invalid' });
    expect(mesh.of(A).status().commitIndex).toBe(mesh.of(B).status().commitIndex);
  });

  it('travels in the ledger snapshot and comes back from it', async () => {
    const memory = new RaftMemory();
    const machine = new LedgerMachine([memory]);
    const op = {
      kind: 'memory.store',
      namespace: 'ledger',
      key: 'k',
      value: 'v',
      ttlSeconds: null,
      atMs: 5,
      writer: A,
    };
    expect(
      machine.apply({ index: 3, term: 1, kind: 'data', data: JSON.stringify({ op }) }),
    ).toEqual({ ok: true, kind: 'extension', value: { stored: true } });
    const restoredMemory = new RaftMemory();
    new LedgerMachine([restoredMemory]).restore(machine.snapshot());
    expect(agreedEntries(restoredMemory.snapshot() as object, 'ledger', 10)).toMatchObject([
      { key: 'k', value: 'v', writer: A, stamp: { counter: 3 } },
    ]);
    // A snapshot from before the memory existed leaves it empty.
    new LedgerMachine([restoredMemory]).restore(JSON.stringify({ kv: [], recent: [] }));
    expect(agreedEntries(restoredMemory.snapshot() as object, 'ledger', 10)).toEqual([]);
  });
});
