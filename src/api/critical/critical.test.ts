import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryStore } from '../../crdt/memory/memoryStore';
import { R1, R2, R3, R4 } from '../../host/pbftHostTestSupport';
import { agreementHookOf } from '../agreed/agreementHook';
import { criticalMemoryTier } from './agreedMemory';
import { criticalMesh, settle } from './testMesh';

describe('mesh.critical over four replicas', () => {
  it('commits a proposal on every replica in one order, and resolves once executed here', async () => {
    const mesh = criticalMesh();
    mesh.start();
    const first = await settle(mesh.of(R2).propose({ kind: 'demo.increment', by: 2 }), mesh.clock);
    expect(first).toEqual({ ok: true, value: { seq: 1, view: 0, result: { value: 2 } } });
    expect(mesh.of(R2).status().lastExecutedSeq).toBe(1);
    const second = await settle(mesh.of(R3).propose({ kind: 'demo.increment' }), mesh.clock);
    expect(second).toMatchObject({ ok: true, value: { seq: 2, result: { value: 3 } } });
    mesh.clock.advance(100);
    const logs = [R1, R2, R3, R4].map((id) => mesh.of(id).log());
    for (const log of logs) expect(log).toEqual(logs[0]);
    expect(logs[0]?.map((e) => [e.seq, e.kind, e.proposer, e.view])).toEqual([
      [1, 'demo.increment', R2, 0],
      [2, 'demo.increment', R3, 0],
    ]);
    expect(mesh.of(R1).status()).toMatchObject({
      replicas: [R1, R2, R3, R4],
      n: 4,
      f: 1,
      quorum: 3,
      view: 0,
      primary: R1,
      lastExecutedSeq: 2,
      stableCheckpointSeq: 0,
      behaviour: 'honest',
    });
  });

  it('refuses bad actions at once with their code, sending nothing', async () => {
    const mesh = criticalMesh();
    mesh.start();
    const critical = mesh.of(R1);
    expect(await settle(critical.propose({ kind: 'no.such' }), mesh.clock)).toEqual({
      ok: false,
      code: 'invalid',
    });
    expect(await settle(critical.propose('text' as never), mesh.clock)).toMatchObject({
      code: 'invalid',
    });
    expect(
      await settle(critical.propose({ kind: 'demo.increment', by: 1.5 }), mesh.clock),
    ).toMatchObject({
      code: 'invalid',
    });
    const big = { kind: 'demo.increment', pad: 'x'.repeat(5000) };
    expect(await settle(critical.propose(big), mesh.clock)).toMatchObject({ code: 'too-large' });
    expect(critical.log()).toEqual([]);
  });

  it('holds proposals while the replica set forms, and fails them no-quorum if it never does', async () => {
    const mesh = criticalMesh();
    const early = mesh.of(R1).propose({ kind: 'demo.increment' });
    mesh.clock.advance(500);
    mesh.start();
    expect(await settle(early, mesh.clock)).toMatchObject({ ok: true, value: { seq: 1 } });

    const lonely = criticalMesh();
    const waiting = lonely.of(R1).propose({ kind: 'demo.increment' });
    expect(await settle(waiting, lonely.clock)).toEqual({ ok: false, code: 'no-quorum' });
  });

  it('a replica just started that reaches nobody yet retries, and commits once its reach is known', async () => {
    const mesh = criticalMesh();
    mesh.start();
    mesh.of(R1).setReachable(1);
    const early = mesh.of(R1).propose({ kind: 'demo.increment' });
    mesh.clock.advance(800);
    expect(mesh.of(R1).view().outstandingProposals).toBe(1);
    mesh.of(R1).setReachable(4);
    expect(await settle(early, mesh.clock)).toMatchObject({ ok: true, value: { seq: 1 } });

    // Past the first seconds, the same refusal is the caller's answer at once.
    mesh.clock.advance(3000);
    mesh.of(R1).setReachable(1);
    const late = mesh.of(R1).propose({ kind: 'demo.increment' });
    expect(await settle(late, mesh.clock, 10)).toEqual({ ok: false, code: 'no-quorum' });
    expect(mesh.of(R1).view().outstandingProposals).toBe(0);
  });

  it('on a side without a quorum rejects no-quorum and nothing executes', async () => {
    const mesh = criticalMesh();
    mesh.start();
    for (const a of [R1, R2]) for (const b of [R3, R4]) mesh.cut(a, b);
    for (const id of [R1, R2, R3, R4]) mesh.of(id).setReachable(2);
    const outcomes = await Promise.all(
      [R1, R3].map((id) => settle(mesh.of(id).propose({ kind: 'demo.increment' }), mesh.clock)),
    );
    expect(outcomes).toEqual([
      { ok: false, code: 'no-quorum' },
      { ok: false, code: 'no-quorum' },
    ]);
    for (const id of [R1, R2, R3, R4]) expect(mesh.of(id).status().lastExecutedSeq).toBe(0);
  });

  it("runs an app's kinds on every replica in order; a refusal reaches the caller as invalid", async () => {
    const mesh = criticalMesh();
    for (const critical of mesh.criticals.values()) {
      critical.register('list.push', {
        validate: (action) => (typeof action.item === 'string' ? undefined : 'item must be text'),
        apply: (action, { state, proposer }) => {
          const items = (state.items as string[] | undefined) ?? [];
          items.push(`${proposer.slice(0, 1)}:${action.item as string}`);
          state.items = items;
          return items.length;
        },
      });
    }
    mesh.start();
    const a = await settle(mesh.of(R4).propose({ kind: 'list.push', item: 'a' }), mesh.clock);
    const b = await settle(mesh.of(R2).propose({ kind: 'list.push', item: 'b' }), mesh.clock);
    expect([a, b].map((o) => (o.ok ? o.value.result : o.code))).toEqual([1, 2]);
    mesh.clock.advance(100);
    for (const id of [R1, R2, R3, R4]) {
      expect(mesh.of(id).app.stateOf('list.push').items).toEqual(['4:a', '2:b']);
    }
    expect(await settle(mesh.of(R1).propose({ kind: 'list.push', item: 3 }), mesh.clock)).toEqual({
      ok: false,
      code: 'invalid',
    });
  });

  it('agreed memory: a write resolves once committed and every replica reads it', async () => {
    const mesh = criticalMesh();
    mesh.start();
    const stores = [R1, R2, R3, R4].map(
      (id) =>
        new MemoryStore({
          doc: new Y.Doc(),
          selfId: id,
          clock: mesh.clock,
          agreedNamespaces: ['critical'],
          agreement: agreementHookOf(criticalMemoryTier(mesh.of(id)), mesh.clock),
        }),
    );
    const stored = await settle(stores[1]!.store('critical', '__proto__', { v: 1 }), mesh.clock);
    expect(stored).toMatchObject({ ok: true, value: { key: '__proto__', value: { v: 1 } } });
    mesh.clock.advance(100);
    for (const store of stores) {
      expect(store.retrieve('critical', '__proto__')?.value).toEqual({ v: 1 });
      expect(store.list('critical').map((e) => e.writer)).toEqual([R2]);
    }
    expect(await settle(stores[2]!.delete('critical', '__proto__'), mesh.clock)).toEqual({
      ok: true,
      value: true,
    });
    mesh.clock.advance(100);
    for (const store of stores) expect(store.retrieve('critical', '__proto__')).toBeNull();
    // Whether a key existed is the replicas' answer.
    expect(await settle(stores[0]!.delete('critical', 'never-there'), mesh.clock)).toEqual({
      ok: true,
      value: false,
    });
  });
});
