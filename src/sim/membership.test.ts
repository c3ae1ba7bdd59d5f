import { describe, expect, it } from 'vitest';
import type { AgentId } from '../core/base/ids';
import type { MemberStatus } from '../core/swim/types';
import {
  checkMembershipLiveness,
  MembershipSafety,
  SafetyChecker,
  SafetyViolation,
} from './checkers';
import { Cluster, type ClusterOptions } from './cluster';
import { membershipQuietMs } from './runner';
import { recordHostEvents } from './testSupport';

/** A cluster with both safety checkers attached and every host event recorded. */
function build(options: Partial<ClusterOptions> & { seed: number; agentCount: number }) {
  const cluster = new Cluster({ traceKeepLast: 0, ...options });
  const checker = new SafetyChecker(cluster).attach();
  const events = recordHostEvents(cluster);
  const membership = new MembershipSafety(cluster, {
    quietMs: membershipQuietMs(options.agentCount, options.swim),
    throwOnFalseVerdict: true,
  }).attach();
  const status = (agent: number, of: number): MemberStatus | null =>
    cluster.agents[agent]?.memberStatus(cluster.ids[of] as AgentId) ?? null;
  /** Runs until every live agent holds `of` in one of `statuses`, or the deadline; returns when. */
  const runUntilAll = (of: number, statuses: MemberStatus[], deadlineMs: number): number | null => {
    while (cluster.nowMs() < deadlineMs) {
      cluster.runFor(50);
      const done = cluster
        .liveAgents()
        .filter((a) => a !== of && !cluster.isFrozen(a))
        .every((a) => statuses.includes(status(a, of) as MemberStatus));
      if (done) return cluster.nowMs();
    }
    return null;
  };
  return { cluster, checker, events, membership, status, runUntilAll };
}

const SEEDS = [1, 2, 3, 4, 5];

describe('membership in the simulator', () => {
  it.each(SEEDS)('seed %i: a crashed agent is declared dead everywhere', (seed) => {
    const agentCount = 6 + seed;
    const { cluster, checker, events, membership, runUntilAll } = build({ seed, agentCount });
    cluster.runUntil(10_000);
    expect(checkMembershipLiveness(cluster)).toEqual([]);
    const victim = seed % agentCount;
    cluster.crash(victim);
    const deadAt = runUntilAll(victim, ['dead'], 40_000);
    expect(deadAt).not.toBeNull();
    // Suspected first by a failed probe, then dead by a suspicion that timed out.
    const verdicts = events.filter((e) => e.peerIndex === victim && e.atMs > 10_000);
    expect(verdicts.some((e) => e.kind === 'member-suspect' && /no ack/.test(e.detail ?? ''))).toBe(
      true,
    );
    expect(
      verdicts.some((e) => e.kind === 'member-dead' && /suspicion timed out/.test(e.detail ?? '')),
    ).toBe(true);
    cluster.runFor(5000);
    checker.sweep();
    membership.sweep();
    expect(membership.falseVerdicts).toEqual([]);
    // The survivors still agree on everything else.
    expect(checkMembershipLiveness(cluster)).toEqual([]);
  });

  it.each([1, 2, 3])(
    'seed %i: no false dead verdict under 5 percent loss and jittered delays',
    (seed) => {
      const { cluster, checker, membership, events } = build({
        seed,
        agentCount: 12,
        network: { lossRate: 0.05, delay: { kind: 'uniform', baseMs: 5, jitterMs: 60 } },
      });
      cluster.runUntil(90_000);
      checker.sweep();
      membership.sweep();
      expect(membership.deadVerdicts).toBe(0);
      expect(events.filter((e) => e.kind === 'member-dead')).toEqual([]);
      expect(checkMembershipLiveness(cluster)).toEqual([]);
      // Loss does cause the odd suspicion; each one was refuted.
      expect(membership.suspicions === 0 || membership.refutations > 0).toBe(true);
    },
  );

  it.each([1, 2, 3])(
    'seed %i: a frozen agent is declared dead, then returns and refutes',
    (seed) => {
      const { cluster, events, status, runUntilAll } = build({ seed, agentCount: 8 });
      cluster.runUntil(10_000);
      const frozen = 2 + seed;
      cluster.freeze(frozen, 12_000);
      expect(runUntilAll(frozen, ['dead'], 22_000)).not.toBeNull();
      cluster.runUntil(22_000);
      const backAt = runUntilAll(frozen, ['alive'], 30_000);
      expect(backAt).not.toBeNull();
      const own = events.filter((e) => e.agent === frozen && e.atMs >= 22_000);
      expect(own.some((e) => e.kind === 'stalled')).toBe(true);
      expect(own.some((e) => e.kind === 'self-refuted')).toBe(true);
      // The frozen agent, which saw its own timers fire 12 s late, accused nobody.
      expect(events.filter((e) => e.agent === frozen && e.kind === 'member-dead')).toEqual([]);
      expect(cluster.agents[frozen]?.incarnation()).toBeGreaterThan(0);
      cluster.runFor(3000);
      for (const agent of cluster.liveAgents()) {
        for (const other of cluster.liveAgents()) {
          if (agent !== other) expect(status(agent, other)).toBe('alive');
        }
      }
    },
  );

  it('a graceful leave is seen everywhere within a few message delays', () => {
    const { cluster, runUntilAll, events } = build({ seed: 6, agentCount: 10 });
    cluster.runUntil(10_000);
    cluster.leave(4);
    const seenAt = runUntilAll(4, ['left'], 10_300);
    expect(seenAt).not.toBeNull();
    expect(events.filter((e) => e.kind === 'member-dead')).toEqual([]);
    expect(events.filter((e) => e.kind === 'member-left' && e.peerIndex === 4).length).toBe(10);
  });

  it.each([1, 2, 3])(
    'seed %i: each side of a 6|4 partition sees it; the majority alone holds a quorum; heal merges',
    (seed) => {
      const { cluster, checker, membership, status } = build({ seed, agentCount: 10 });
      cluster.runUntil(10_000);
      const majority = [0, 1, 2, 3, 4, 5];
      const minority = [6, 7, 8, 9];
      cluster.partition([majority]);
      cluster.runUntil(40_000);
      for (const a of majority) {
        for (const b of minority) expect(status(a, b)).toBe('dead');
        expect(cluster.agents[a]?.quorum()).toEqual({
          reachable: 6,
          membershipSize: 10,
          hasQuorum: true,
        });
      }
      for (const a of minority) {
        for (const b of majority) expect(status(a, b)).toBe('dead');
        expect(cluster.agents[a]?.quorum()).toEqual({
          reachable: 4,
          membershipSize: 10,
          hasQuorum: false,
        });
      }
      cluster.heal();
      const healedAt = cluster.nowMs();
      let agreedAt: number | null = null;
      while (cluster.nowMs() < healedAt + 20_000) {
        cluster.runFor(50);
        if (checkMembershipLiveness(cluster).length === 0) {
          agreedAt = cluster.nowMs();
          break;
        }
      }
      // Links come back through the reconnect backoff (at most 4 s); then within a gossip
      // interval plus a second everybody is alive everywhere, with one agreed membership.
      expect(agreedAt).not.toBeNull();
      expect((agreedAt as number) - healedAt).toBeLessThanOrEqual(4000 + 2000 + 1000);
      checker.sweep();
      membership.sweep();
      expect(membership.falseVerdicts).toEqual([]);
    },
  );

  it('a 3|2 split of five: only the three hold a quorum, however long it lasts', () => {
    const { cluster, status } = build({
      seed: 9,
      agentCount: 5,
      swim: { evictDeadAfterMs: 20_000 },
    });
    cluster.runUntil(10_000);
    cluster.partition([[0, 1, 2]]);
    cluster.runUntil(70_000);
    // The three evicted the two long dead (they held a quorum); the two could evict nobody.
    for (const a of [0, 1, 2]) {
      expect(cluster.agents[a]?.quorum()).toEqual({
        reachable: 3,
        membershipSize: 3,
        hasQuorum: true,
      });
    }
    for (const a of [3, 4]) {
      expect(cluster.agents[a]?.quorum()).toEqual({
        reachable: 2,
        membershipSize: 5,
        hasQuorum: false,
      });
      expect(status(a, 0)).toBe('dead');
    }
    cluster.heal();
    cluster.runUntil(85_000);
    expect(checkMembershipLiveness(cluster)).toEqual([]);
    expect(cluster.agents[3]?.quorum()).toEqual({
      reachable: 5,
      membershipSize: 5,
      hasQuorum: true,
    });
  });

  it('the membership checker can fail: a dead verdict about a running member is caught', () => {
    const { cluster, membership } = build({ seed: 3, agentCount: 4 });
    cluster.runUntil(5000);
    expect(() =>
      membership.onEvent(0, 'member-dead', cluster.ids[1], cluster.nowMs(), 'invented'),
    ).toThrow(SafetyViolation);
    expect(membership.falseVerdicts).toHaveLength(1);
    // A member that really crashed may be declared dead.
    cluster.crash(2);
    membership.onEvent(0, 'member-dead', cluster.ids[2], cluster.nowMs(), 'fine');
    expect(membership.falseVerdicts).toHaveLength(1);
  });
});
