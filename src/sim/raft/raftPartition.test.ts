import { describe, expect, it } from 'vitest';
import { RaftCluster, type RaftSimNode } from './raftCluster';

/** Runs the cluster with the safety checkers asserted clean after every event. */
function runUntil(cluster: RaftCluster, untilMs: number, done: () => boolean = () => false): void {
  cluster.runUntil(untilMs, done);
  expect(cluster.checker.violations).toEqual([]);
}

const dataEntries = (sim: RaftSimNode): string[] => {
  const v = sim.node.view();
  const out: string[] = [];
  for (let i = v.snapshotIndex + 1; i <= v.lastIndex; i++) {
    const e = sim.node.logView.entry(i);
    if (e?.kind === 'data') out.push(e.data);
  }
  return out;
};

describe('Raft under a 3|2 partition (simulator)', () => {
  it('the old leader in the minority cannot commit and steps down; the majority elects and commits; the heal erases the minority’s entries', () => {
    const cluster = new RaftCluster({ seed: 11, voters: 5, spares: 0, timerJitterMs: 0 });
    runUntil(
      cluster,
      3000,
      () => cluster.leaderOf() !== null && cluster.leaderOf()!.node.commit > 0,
    );
    const old = cluster.leaderOf() as RaftSimNode;
    const minority = [old, cluster.nodes.find((n) => n !== old) as RaftSimNode];
    const majority = cluster.nodes.filter((n) => !minority.includes(n));
    const t0 = cluster.scheduler.nowMs();
    cluster.network.partition([minority.map((n) => n.index), majority.map((n) => n.index)]);
    // A write at the old leader: appended, never committed.
    cluster.invoke(old, 0, { kind: 'put', key: 'x', value: 'lost' });
    const lost = cluster.history.at(-1)!;
    const commitBefore = old.node.commit;
    runUntil(cluster, t0 + 2000);
    expect(old.node.commit).toBe(commitBefore);
    expect(old.node.currentRole).not.toBe('leader');
    expect(
      cluster.events.some(
        (e) =>
          e.node === old.index &&
          e.event.type === 'raft-step-down' &&
          e.event.reason === 'check-quorum',
      ),
    ).toBe(true);
    const leader = cluster.leaderOf() as RaftSimNode;
    expect(majority).toContain(leader);
    cluster.invoke(leader, 1, { kind: 'put', key: 'x', value: 'kept' });
    const kept = cluster.history.at(-1)!;
    runUntil(cluster, t0 + 3000, () => kept.returnMs !== null);
    expect(kept.output).toEqual({ kind: 'put' });
    // A read in the minority is refused (it leaves the history) or never answered: never stale.
    const before = cluster.history.length;
    cluster.invoke(minority[1]!, 2, { kind: 'get', key: 'x' });
    runUntil(cluster, t0 + 3500);
    const minorityReads = cluster.history.slice(before);
    expect(minorityReads.every((o) => o.returnMs === null)).toBe(true);
    cluster.network.healPartition();
    runUntil(cluster, t0 + 6000);
    const logs = cluster.nodes.map((n) => JSON.stringify(dataEntries(n)));
    expect(new Set(logs).size).toBe(1);
    expect(logs[0]).toContain('kept');
    expect(logs[0]).not.toContain('lost');
    expect(lost.returnMs).toBeNull();
  });
});
