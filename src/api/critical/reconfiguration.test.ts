import { describe, expect, it } from 'vitest';
import { fixedId } from '../../core/base/testSupport';
import type { AgentId } from '../../core/base/ids';
import type { MemberStatus } from '../../core/wire/swimMessages';
import { R1, R2, R3, R4 } from '../../host/pbftHostTestSupport';
import type { MembershipPort, ReplicaListBoard } from '../genesis/genesisDriver';
import { ReconfigurationDriver } from './reconfigurationDriver';
import { runFor } from '../../host/testClock';
import { criticalMesh, settle } from './testMesh';

const R5 = fixedId('5');
const FIVE = [R1, R2, R3, R4, R5];

/**
 * The membership every agent shares in these tests: one table of statuses the test sets, and
 * facts that reach everyone at once (the gossip's job, done instantly here).
 */
function sharedMembership(ids: AgentId[]) {
  const status = new Map<AgentId, MemberStatus>(ids.map((id) => [id, 'alive']));
  const facts = new Map<string, string>();
  const lists = new Map<string, readonly AgentId[]>();
  const board: ReplicaListBoard = {
    lists: () => lists,
    publish: (name, replicas) => lists.set(name, [...replicas]),
  };
  const port = (selfId: AgentId): MembershipPort => ({
    selfId,
    agreedMembers: () => ids.filter((id) => status.get(id) !== 'left'),
    appFact: (subject, key) => facts.get(`${subject}/${key}`) ?? null,
    publishFact: (key, value) => facts.set(`${selfId}/${key}`, value),
    snapshot: () => ({
      members: ids.map((id) => ({
        id,
        self: id === selfId,
        status: status.get(id) as MemberStatus,
        incarnation: 0,
        sinceMs: 0,
        load: null,
        suspectedBy: [],
        reason: null,
        reached: status.get(id) === 'alive',
      })),
    }),
  });
  return { status, board, port };
}

function reconfiguringMesh(ids: AgentId[], replicas: AgentId[]) {
  const mesh = criticalMesh(ids);
  const membership = sharedMembership(ids);
  const drivers = ids.map(
    (id) =>
      new ReconfigurationDriver({
        membership: membership.port(id),
        board: membership.board,
        critical: mesh.of(id),
        clock: mesh.clock,
        removeAfterMs: 5000,
        addAfterMs: 1000,
      }),
  );
  mesh.start(replicas);
  for (const driver of drivers) driver.start();
  return { mesh, membership, drivers };
}

describe('reconfiguration in the agent', () => {
  it('a replica the membership holds dead is voted out, and the rest commit as n = 3', async () => {
    const { mesh, membership, drivers } = reconfiguringMesh([R1, R2, R3, R4], [R1, R2, R3, R4]);
    const first = await settle(mesh.of(R2).propose({ kind: 'demo.increment' }), mesh.clock);
    expect(first.ok).toBe(true);
    // R4 crashes: it says nothing more, and the membership comes to hold it dead.
    mesh.of(R4).stop();
    drivers[3]?.stop();
    for (const id of [R1, R2, R3]) mesh.cut(R4, id);
    membership.status.set(R4, 'dead');
    await runFor(mesh.clock, 4000);
    expect(mesh.of(R1).status().n).toBe(4);
    await runFor(mesh.clock, 3000);
    for (const id of [R1, R2, R3]) {
      expect(mesh.of(id).status()).toMatchObject({ epoch: 1, replicas: [R1, R2, R3], n: 3 });
    }
    const after = await settle(mesh.of(R3).propose({ kind: 'demo.increment' }), mesh.clock);
    expect(after).toMatchObject({ ok: true, value: { result: { value: 2 } } });
    await runFor(mesh.clock, 3000);
    // The new epoch's first view goes on: no view change was needed.
    for (const id of [R1, R2, R3]) expect(mesh.of(id).status().viewInEpoch).toBe(0);
    const kinds = mesh
      .of(R1)
      .log()
      .map((e) => e.kind);
    // f + 1 = 2 votes apply it; a third, cast before the change, finds its epoch over.
    expect(kinds.filter((k) => k === 'replicas.change').length).toBeGreaterThanOrEqual(2);
  });

  it('a new member is voted in, joins by state transfer, then votes and proposes', async () => {
    const { mesh } = reconfiguringMesh(FIVE, [R1, R2, R3, R4]);
    expect(mesh.of(R5).status()).toMatchObject({ n: 4, epoch: 0 });
    const first = await settle(mesh.of(R5).propose({ kind: 'demo.increment', by: 5 }), mesh.clock);
    expect(first.ok).toBe(true);
    await runFor(mesh.clock, 3000);
    for (const id of FIVE) {
      expect(mesh.of(id).status()).toMatchObject({ epoch: 1, replicas: FIVE, n: 5, f: 1 });
    }
    expect(mesh.of(R5).view().role).toBe('replica');
    const joined = await settle(mesh.of(R5).propose({ kind: 'demo.increment' }), mesh.clock);
    expect(joined).toMatchObject({ ok: true, value: { result: { value: 6 } } });
    await runFor(mesh.clock, 3000);
    for (const id of FIVE) expect(mesh.of(id).status().viewInEpoch).toBe(0);
    const r5 = mesh.of(R5).status();
    expect(r5.lastExecutedSeq).toBe(mesh.of(R1).status().lastExecutedSeq);
    // The same log; each entry's view is the one this agent saw it commit in (a joiner saw
    // the first ones in none, so it names its current view).
    const entries = (id: AgentId) =>
      mesh
        .of(id)
        .log()
        .map(({ view: _view, ...entry }) => entry);
    expect(entries(R5)).toEqual(entries(R1));
  });
});
