import { describe, expect, it } from 'vitest';
import { REASON_PEER_LEFT } from '../core/links/types';
import { checkLinkLiveness, SafetyChecker, SafetyViolation } from './checkers';
import { Cluster, type ClusterOptions } from './cluster';
import { REASON_PEER_CLOSED } from './linkFabric';
import { REASON_REPLACED } from './simTransport';
import { deliveries, recordHostEvents } from './testSupport';

const SILENT = /^silent for \d+ ms$/;

function build(options: Partial<ClusterOptions> = {}) {
  const cluster = new Cluster({ seed: 7, agentCount: 6, ...options });
  const checker = new SafetyChecker(cluster).attach();
  const events = recordHostEvents(cluster);
  return { cluster, checker, events };
}

describe('cluster: steady state', () => {
  it('brings every link up and measures it, with invariants after every step', () => {
    const { cluster, checker, events } = build({ agentCount: 8 });
    cluster.runUntil(3000);
    expect(checkLinkLiveness(cluster)).toEqual([]);
    checker.sweep();
    expect(events.filter((e) => e.kind === 'link-up')).toHaveLength(2 * 28);
    // Besides links coming up (and so reached), only members joining and the first quorum.
    const quiet = ['link-up', 'reach-gained', 'member-alive', 'quorum-gained'];
    expect(events.filter((e) => !quiet.includes(e.kind))).toEqual([]);
    expect(events.filter((e) => e.kind === 'member-alive').length).toBeLessThanOrEqual(8 * 7);
    expect(checker.checks).toBeGreaterThanOrEqual(cluster.events);
    const rtt = cluster.snapshot(0).agent.links.neighbours[0]?.rttMs ?? -1;
    // Two one-way delays of 10 + U[0, 5) ms.
    expect(rtt).toBeGreaterThanOrEqual(20);
    expect(rtt).toBeLessThan(30);
  });

  it('ids are 64 hex digits drawn from the seed', () => {
    const a = new Cluster({ seed: 1, agentCount: 3 });
    const b = new Cluster({ seed: 1, agentCount: 3 });
    const c = new Cluster({ seed: 2, agentCount: 3 });
    expect(a.ids).toEqual(b.ids);
    expect(a.ids).not.toEqual(c.ids);
    for (const id of a.ids) expect(id).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('cluster: faults', () => {
  it('a partition delivers nothing across, times links out on both sides, and heals', () => {
    const { cluster, checker, events } = build({ agentCount: 10, traceKeepLast: 500_000 });
    const left = [0, 1, 2, 3, 4];
    const side = (agent: number) => (left.includes(agent) ? 'L' : 'R');
    cluster.runUntil(3000);
    cluster.partition([left]);
    cluster.runUntil(10_000);
    // Frames already in flight (at most 15 ms) may land; nothing sent later crosses.
    const crossing = deliveries(cluster).filter(
      (d) => d.timeMs > 3015 && side(d.agent) !== side(d.peer),
    );
    expect(crossing).toEqual([]);
    expect(deliveries(cluster).some((d) => d.timeMs > 3015)).toBe(true);
    expect(cluster.network.stats.dropped.partition).toBeGreaterThan(0);
    const downs = events.filter((e) => e.kind === 'link-down');
    // 25 crossing links, each timed out by the links protocol at both ends.
    expect(downs).toHaveLength(50);
    for (const down of downs) {
      expect(side(down.agent)).not.toBe(side(down.peerIndex));
      expect(down.detail).toMatch(SILENT);
      expect(down.atMs).toBeGreaterThan(3000 + 6000 - 2100);
    }
    for (let a = 0; a < 10; a++) {
      const peers = cluster
        .snapshot(a)
        .agent.links.neighbours.map((n) => cluster.fabric.indexOf(n.peer));
      expect(peers.every((p) => p !== undefined && side(p) === side(a))).toBe(true);
    }
    cluster.heal();
    cluster.runUntil(16_000);
    expect(checkLinkLiveness(cluster)).toEqual([]);
    checker.sweep();
  });

  it('a one-way cut times the link out too, keeps it down while cut, and it returns after', () => {
    const { cluster, events } = build({ agentCount: 4, traceKeepLast: 200_000 });
    cluster.runUntil(3000);
    cluster.cutOneWay(0, 1);
    cluster.runUntil(20_000);
    const late = deliveries(cluster).filter((d) => d.timeMs > 3015);
    expect(late.filter((d) => d.peer === 0 && d.agent === 1)).toEqual([]);
    expect(late.filter((d) => d.peer === 1 && d.agent === 0).length).toBeGreaterThan(0);
    const downs = events.filter((e) => e.kind === 'link-down');
    // Agent 1 hears nothing from 0 and times out; 0 still hears 1 and learns of the close.
    expect(downs.map((e) => [e.agent, e.peerIndex, e.detail])).toEqual([
      [1, 0, expect.stringMatching(SILENT)],
      [0, 1, REASON_PEER_CLOSED],
    ]);
    expect(cluster.fabric.isOpen(0, 1)).toBe(false);
    expect(cluster.fabric.isOpen(0, 2) && cluster.fabric.isOpen(1, 2)).toBe(true);
    expect(cluster.fabric.attemptsBlocked).toBeGreaterThan(0);
    expect(checkLinkLiveness(cluster)).toContainEqual(
      expect.stringMatching(/^link 0:.* is not open$/),
    );
    cluster.restoreOneWay(0, 1);
    cluster.runUntil(26_000);
    expect(checkLinkLiveness(cluster)).toEqual([]);
  });

  it('a crashed agent is timed out by its peers and reconnects when it restarts', () => {
    const { cluster, checker, events } = build({ agentCount: 5 });
    cluster.runUntil(3000);
    cluster.crash(2);
    cluster.runUntil(12_000);
    const downs = events.filter((e) => e.kind === 'link-down');
    expect(downs.map((e) => e.peerIndex).sort()).toEqual([2, 2, 2, 2]);
    for (const down of downs) expect(down.detail).toMatch(SILENT);
    expect(cluster.network.stats.dropped['agent-down']).toBeGreaterThan(0);
    cluster.restart(2);
    cluster.runUntil(13_000);
    expect(checkLinkLiveness(cluster)).toEqual([]);
    checker.sweep();
    expect(cluster.snapshot(2).agent.links.neighbours).toHaveLength(4);
  });

  it('a restart before the timeout replaces the stale links at once', () => {
    const { cluster, events } = build({ agentCount: 5 });
    cluster.runUntil(3000);
    cluster.crash(4);
    cluster.runUntil(4000);
    cluster.restart(4);
    cluster.runUntil(4200);
    const downs = events.filter((e) => e.kind === 'link-down');
    expect(downs.map((e) => [e.peerIndex, e.detail])).toEqual(
      [0, 1, 2, 3].map(() => [4, REASON_REPLACED]),
    );
    expect(checkLinkLiveness(cluster)).toEqual([]);
  });

  it('a graceful leave closes every link at once and is not reconnected until a restart', () => {
    const { cluster, events } = build({ agentCount: 5 });
    cluster.runUntil(3000);
    const linksOpened = cluster.fabric.linksOpened;
    cluster.leave(3);
    cluster.runUntil(3100);
    const downs = events.filter((e) => e.kind === 'link-down');
    expect(downs.map((e) => e.agent).sort()).toEqual([0, 1, 2, 3, 3, 3, 3, 4]);
    for (const down of downs.filter((e) => e.agent !== 3)) {
      expect([REASON_PEER_LEFT, REASON_PEER_CLOSED]).toContain(down.detail);
    }
    cluster.runUntil(30_000);
    expect(cluster.fabric.linksOpened).toBe(linksOpened);
    cluster.restart(3);
    cluster.runUntil(31_000);
    expect(checkLinkLiveness(cluster)).toEqual([]);
  });

  it('loss and duplication happen at the configured rates without breaking links', () => {
    for (const network of [{ lossRate: 0.1 }, { duplicateRate: 0.5 }]) {
      const { cluster, checker, events } = build({ agentCount: 8, network });
      cluster.runUntil(30_000);
      const { sent, delivered, duplicated, dropped } = cluster.network.stats;
      const expectedDelivered =
        sent * (1 - (network.lossRate ?? 0)) * (1 + (network.duplicateRate ?? 0));
      expect(Math.abs(delivered / expectedDelivered - 1)).toBeLessThan(0.03);
      expect(dropped.loss > 0).toBe(network.lossRate !== undefined);
      expect(duplicated > 0).toBe(network.duplicateRate !== undefined);
      expect(events.filter((e) => e.kind === 'link-down')).toEqual([]);
      expect(checkLinkLiveness(cluster)).toEqual([]);
      checker.sweep();
    }
  });

  it('timers may fire late under jitter but never early', () => {
    const late = build({ agentCount: 3, timerLatenessMs: 40 });
    const prompt = build({ agentCount: 3 });
    late.cluster.runUntil(20_000);
    prompt.cluster.runUntil(20_000);
    expect(late.cluster.trace.hashHex()).not.toBe(prompt.cluster.trace.hashHex());
    expect(checkLinkLiveness(late.cluster)).toEqual([]);
  });
});

describe('checkers can fail', () => {
  it('a broken agent invariant stops the run with the seed, time and agent', () => {
    const { cluster } = build();
    cluster.runUntil(2000);
    cluster.host(3).checkInvariants = () => {
      throw new Error('invented breakage');
    };
    expect(() => cluster.runUntil(5000)).toThrow(SafetyViolation);
    expect(() => cluster.runUntil(5000)).toThrow(
      /^seed 7, t=.* ms, agent 3 \(\w{8}\): invented breakage$/,
    );
  });

  it('the sweep notices an agent and its transport disagreeing about a link', () => {
    const { cluster, checker } = build();
    cluster.runUntil(2000);
    checker.sweep();
    cluster.fabric.transports[2]?.openEnds.delete(5);
    expect(() => checker.sweep()).toThrow(/agent 2 .*differ from open links/);
  });

  it('the liveness check names links that stay down and agents that never measured', () => {
    const { cluster } = build({ agentCount: 3 });
    cluster.partition([[0]]);
    cluster.runUntil(10_000);
    const problems = checkLinkLiveness(cluster);
    expect(problems).toContainEqual(expect.stringMatching(/^link 0:\w{8}-1:\w{8} is not open$/));
    expect(problems).toContainEqual(expect.stringMatching(/^1:\w{8} has no neighbour 0:\w{8}$/));
    expect(problems).toHaveLength(2 + 4);
  });
});
