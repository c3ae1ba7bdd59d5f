import { describe, expect, it } from 'vitest';
import type { PbftClientEvent } from '../../core/pbft/client';
import { PbftCluster, type PbftSimNode } from './pbftCluster';

function executed(cluster: PbftCluster): string[] {
  return cluster.nodes.map(
    (n) => `${n.replica.snapshot().lastExecutedSeq}/${n.app.sum}/${n.app.hash}`,
  );
}

describe('pBFT under a partition (n = 4, quorum 3)', () => {
  it('2|2: nothing commits on either side, proposals fail no-quorum; after the heal both sides agree', () => {
    const cluster = new PbftCluster({
      seed: 5,
      replicas: 4,
      network: { delay: { kind: 'uniform', baseMs: 1, jitterMs: 2 } },
    });
    const outcomes: { node: number; event: PbftClientEvent }[] = [];
    const executions: { node: PbftSimNode; seq: number }[] = [];
    cluster.observer = {
      onClientEvent: (node, event) => outcomes.push({ node: node.index, event }),
      onReplicaEvent: (node, event) => {
        if (event.type === 'pbft-executed') executions.push({ node, seq: event.seq });
      },
    };
    const add = (index: number, value: number) =>
      JSON.stringify({ kind: 'add', value, tag: `${index}.${value}` });
    cluster.at(10, () => cluster.propose(1, add(1, 1)));
    cluster.runUntil(500);
    expect(outcomes.map((o) => o.event.type)).toEqual(['proposal-committed']);
    const before = executions.length;

    cluster.at(600, () => {
      cluster.network.partition([
        [0, 1],
        [2, 3],
      ]);
      // The membership's reach tells each client what its side holds: two replicas of four.
      for (let i = 0; i < 4; i++) cluster.setReachable(i, 2);
      cluster.propose(1, add(1, 2));
      cluster.propose(3, add(3, 3));
    });
    cluster.runUntil(6000);
    expect(executions.length).toBe(before);
    expect(
      outcomes
        .slice(1)
        .map((o) => [o.node, o.event.type, 'error' in o.event && o.event.error])
        .sort(),
    ).toEqual([
      [1, 'proposal-failed', 'no-quorum'],
      [3, 'proposal-failed', 'no-quorum'],
    ]);
    // The refusals came within the grace of 1.5 s, well before the 10 s proposal timeout.
    expect(cluster.nowMs).toBe(6000);

    cluster.at(6100, () => {
      cluster.network.healPartition();
      cluster.linksUp(cluster.allPairs());
      for (let i = 0; i < 4; i++) cluster.setReachable(i, 4);
      cluster.propose(2, add(2, 4));
      cluster.propose(0, add(0, 5));
    });
    cluster.runUntil(12_000);
    const committed = outcomes.slice(3).filter((o) => o.event.type === 'proposal-committed');
    expect(committed.map((o) => o.node).sort()).toEqual([0, 2]);
    const states = executed(cluster);
    expect(new Set(states).size).toBe(1);
    expect(cluster.node(0).app.sum).toBe(1 + 4 + 5);
  });

  it('3|1: the side of three goes on committing; the one left alone catches up after the heal', () => {
    const cluster = new PbftCluster({
      seed: 6,
      replicas: 4,
      network: { delay: { kind: 'uniform', baseMs: 1, jitterMs: 2 } },
    });
    const committed: number[] = [];
    cluster.observer = {
      onClientEvent: (node, event) => {
        if (event.type === 'proposal-committed') committed.push(node.index);
      },
    };
    cluster.at(100, () => cluster.network.partition([[0, 1, 2], [3]]));
    for (let i = 0; i < 40; i++) {
      cluster.at(200 + i * 20, () =>
        cluster.propose(i % 3, JSON.stringify({ kind: 'add', value: i, tag: `p${i}` })),
      );
    }
    cluster.at(3000, () => {
      cluster.network.healPartition();
      cluster.linksUp(cluster.allPairs());
    });
    cluster.runUntil(8000);
    expect(committed).toHaveLength(40);
    expect(new Set(executed(cluster)).size).toBe(1);
    expect(cluster.node(3).replica.snapshot().lastExecutedSeq).toBe(
      cluster.node(0).replica.snapshot().lastExecutedSeq,
    );
  });
});
