import { describe, expect, it } from 'vitest';
import { RAFT_MAX_ENTRY_BYTES } from '../../core/wire/raftMessages';
import { runFor, settle } from '../../host/testClock';
import { A, B, C, D, ledgerMesh } from './testLedgerMesh';

const THREE = [A, B, C];

async function formed(ids = THREE) {
  const mesh = ledgerMesh(ids);
  mesh.start(THREE);
  await runFor(mesh.clock, 2000);
  const leader = mesh.leader(THREE);
  if (leader === null) throw new Error('no leader after 2 s');
  return { ...mesh, leaderId: leader };
}

describe('Ledger', () => {
  it('holds operations until the group forms, then commits them from any agent', async () => {
    const mesh = ledgerMesh(THREE);
    expect(mesh.of(B).status()).toMatchObject({ role: 'forming', voters: [] });
    const early = mesh.of(B).append({ n: 1 });
    await runFor(mesh.clock, 500);
    mesh.start();
    const outcome = await settle(early, mesh.clock);
    expect(outcome).toMatchObject({ ok: true, value: { index: expect.any(Number) } });
    await runFor(mesh.clock, 200);
    for (const id of THREE) {
      const entries = mesh.of(id).read();
      expect(entries.map((e) => e.entry)).toEqual([{ n: 1 }]);
      expect(mesh.of(id).status()).toMatchObject({ voters: THREE, learners: [] });
    }
  });

  it('fails held operations with no-leader when no group forms in time', async () => {
    const mesh = ledgerMesh(THREE);
    mesh.of(A).setForming('waiting for 3 members, 1 seen');
    const outcome = await settle(mesh.of(A).append('x'), mesh.clock);
    expect(outcome).toEqual({ ok: false, code: 'no-leader' });
    expect(mesh.of(A).view().formingDetail).toBe('waiting for 3 members, 1 seen');
  });

  it('puts, compares-and-sets and reads linearizably through any agent', async () => {
    const mesh = await formed();
    const follower = THREE.find((id) => id !== mesh.leaderId)!;
    expect(await settle(mesh.of(follower).put('k', { v: 1 }), mesh.clock)).toMatchObject({
      ok: true,
    });
    const lost = await settle(mesh.of(mesh.leaderId).cas('k', { v: 0 }, { v: 2 }), mesh.clock);
    expect(lost).toMatchObject({ ok: true, value: { ok: false, value: { v: 1 } } });
    const won = await settle(mesh.of(follower).cas('k', { v: 1 }, { v: 2 }), mesh.clock);
    expect(won).toMatchObject({ ok: true, value: { ok: true, value: { v: 2 } } });
    for (const id of THREE) {
      const read = await settle(mesh.of(id).get('k'), mesh.clock);
      expect(read).toMatchObject({ ok: true, value: { value: { v: 2 }, linearizable: true } });
    }
    const missing = await settle(mesh.of(follower).get('nothing'), mesh.clock);
    expect(missing).toMatchObject({ ok: true, value: { value: null } });
  });

  it('refuses bad input before anything is sent', async () => {
    const mesh = await formed();
    const big = 'x'.repeat(RAFT_MAX_ENTRY_BYTES);
    expect(await settle(mesh.of(A).append(big), mesh.clock)).toEqual({
      ok: false,
      code: 'too-large',
    });
    expect(await settle(mesh.of(A).append(undefined), mesh.clock)).toEqual({
      ok: false,
      code: 'invalid',
    });
    expect(await settle(mesh.of(A).put('', 1), mesh.clock)).toEqual({ ok: false, code: 'invalid' });
    expect(await settle(mesh.of(A).get('k'.repeat(300)), mesh.clock)).toEqual({
      ok: false,
      code: 'invalid',
    });
    expect(mesh.of(A).view().pendingOperations).toBe(0);
  });

  it('a leader cut off from the rest answers no-quorum; the others elect and commit', async () => {
    const mesh = await formed();
    const old = mesh.leaderId;
    const rest = THREE.filter((id) => id !== old);
    for (const id of rest) mesh.cut(old, id);
    const stranded = settle(mesh.of(old).append('minority'), mesh.clock);
    expect(await stranded).toEqual({ ok: false, code: 'no-quorum' });
    const majority = await settle(mesh.of(rest[0]!).append('majority'), mesh.clock);
    expect(majority.ok).toBe(true);
    const leader = mesh.leader(rest);
    expect(leader).not.toBeNull();
    expect(leader).not.toBe(old);
    // Check-quorum: the old leader does not go on believing it leads.
    expect(mesh.of(old).isLeader).toBe(false);
    mesh.heal();
    await runFor(mesh.clock, 2000);
    for (const id of THREE)
      expect(
        mesh
          .of(id)
          .read()
          .map((e) => e.entry),
      ).toEqual(['majority']);
  });

  it('transfers leadership only from the leader, and only to another voter', async () => {
    const mesh = await formed([A, B, C, D]);
    const old = mesh.leaderId;
    const target = THREE.find((id) => id !== old)!;
    const fromFollower = await settle(mesh.of(target).transferLeadership(old), mesh.clock);
    expect(fromFollower).toEqual({ ok: false, code: 'not-leader' });
    const toLearner = await settle(mesh.of(old).transferLeadership(D), mesh.clock);
    expect(toLearner).toEqual({ ok: false, code: 'invalid' });
    const moved = await settle(mesh.of(old).transferLeadership(target), mesh.clock);
    expect(moved).toMatchObject({ ok: true, value: { leader: target } });
    expect(mesh.leader(THREE)).toBe(target);
    const reasons = mesh
      .of(target)
      .view()
      .timeline.map((t) => t.event)
      .filter((e) => e.type === 'raft-election')
      .map((e) => (e as { reason: string }).reason);
    expect(reasons.at(-1)).toBe('transfer');
  });

  it('an agent outside the first group follows the log and reports itself joining', async () => {
    const mesh = await formed([A, B, C, D]);
    expect(mesh.of(D).status().role).toBe('joining');
    const added = await settle(
      mesh.of(mesh.leaderId).changeMembers({ action: 'add-learner', member: D }),
      mesh.clock,
    );
    expect(added.ok).toBe(true);
    await settle(mesh.of(A).append('after'), mesh.clock);
    await runFor(mesh.clock, 500);
    expect(mesh.of(D).status()).toMatchObject({ role: 'learner', learners: [D] });
    expect(
      mesh
        .of(D)
        .read()
        .map((e) => e.entry),
    ).toEqual(['after']);
  });

  it('a leader that stops hands over at once, without waiting out an election timeout', async () => {
    const mesh = await formed();
    const old = mesh.leaderId;
    const rest = THREE.filter((id) => id !== old);
    mesh.of(old).stop();
    for (const id of rest) mesh.cut(old, id);
    // Below the 250 ms election timeout floor: only a transfer elects this fast.
    await runFor(mesh.clock, 100);
    const leader = mesh.leader(rest);
    expect(leader).not.toBeNull();
    const elections = mesh
      .of(leader!)
      .view()
      .timeline.map((t) => t.event)
      .filter((e) => e.type === 'raft-election');
    expect(elections.at(-1)).toMatchObject({ reason: 'transfer', preVote: false });
  });

  it('a write whose answer was lost is sent again and applied once', async () => {
    const mesh = await formed();
    const old = mesh.leaderId;
    const follower = THREE.find((id) => id !== old)!;
    // The leader hears the follower but the follower hears nothing back: the forwarded cas
    // commits through the third agent, and its answer never arrives.
    mesh.cutOneWay(old, follower);
    const cas = mesh.of(follower).cas('once', null, 'first');
    await runFor(mesh.clock, 1500);
    mesh.heal();
    const outcome = await settle(cas, mesh.clock);
    // Applied twice, the second copy would have found 'first' and failed.
    expect(outcome).toMatchObject({ ok: true, value: { ok: true, value: 'first' } });
    await runFor(mesh.clock, 500);
    for (const id of THREE) {
      const casRecords = mesh
        .of(id)
        .read()
        .filter((r) => (r.entry as { kind?: string }).kind === 'cas');
      expect(casRecords).toHaveLength(1);
      expect(mesh.of(id).machine.get('once')).toBe('first');
    }
  });
});
