import { describe, expect, it } from 'vitest';
import type { AgentId } from '../core/base/ids';
import { checkMembershipLiveness, SafetyChecker } from './checkers';
import { Cluster } from './cluster';
import { recordHostEvents } from './testSupport';

/**
 * What the quorum flag says right after a cut and through a heal, in a five-agent full mesh:
 * the side cut off must know within a reach window and a ping round (far inside the 5 s the
 * browser bench holds it to), the majority must never lose its quorum, and a heal must not
 * spread the far side's stale dead verdicts over the majority.
 */
const AGENTS = 5;
/** The links protocol's reach window plus one ping round of evaluation, plus delivery. */
const CUT_KNOWN_WITHIN_MS = 3000 + 1000 + 100;

const SHAPES: { name: string; majority: number[]; minority: number[] }[] = [
  { name: '4|1', majority: [0, 1, 2, 3], minority: [4] },
  { name: '3|2', majority: [0, 1, 2], minority: [3, 4] },
];

describe('partitions in a five-agent mesh', () => {
  it.each([1, 2, 3, 4, 5].flatMap((seed) => SHAPES.map((shape) => ({ seed, ...shape }))))(
    'seed $seed, $name: each side knows within a window; the heal keeps the majority whole',
    ({ seed, majority, minority }) => {
      const cluster = new Cluster({ seed, agentCount: AGENTS, traceKeepLast: 0 });
      const checker = new SafetyChecker(cluster).attach();
      const events = recordHostEvents(cluster);
      cluster.runUntil(10_000);
      expect(checkMembershipLiveness(cluster)).toEqual([]);

      const cutAtMs = cluster.nowMs();
      cluster.partition([majority, minority]);
      cluster.runUntil(cutAtMs + 20_000);
      const afterCut = events.filter((e) => e.atMs >= cutAtMs);
      for (const a of minority) {
        const lost = afterCut.find((e) => e.agent === a && e.kind === 'quorum-lost');
        expect(lost, `agent ${a} never lost its quorum`).toBeDefined();
        expect((lost?.atMs as number) - cutAtMs).toBeLessThanOrEqual(CUT_KNOWN_WITHIN_MS);
        expect(cluster.agents[a]?.quorum().hasQuorum).toBe(false);
      }
      for (const a of majority) expect(cluster.agents[a]?.quorum().hasQuorum).toBe(true);
      // The minority declared the majority dead meanwhile: the verdicts a heal must not spread.
      expect(afterCut.some((e) => minority.includes(e.agent) && e.kind === 'member-dead')).toBe(
        true,
      );

      const healAtMs = cluster.nowMs();
      cluster.heal();
      let oneViewAtMs: number | null = null;
      while (cluster.nowMs() < healAtMs + 20_000) {
        cluster.runFor(20);
        if (checkMembershipLiveness(cluster).length === 0) {
          oneViewAtMs = cluster.nowMs();
          break;
        }
      }
      expect(oneViewAtMs, 'no single view after the heal').not.toBeNull();
      cluster.runFor(10_000);
      const afterHeal = events.filter((e) => e.atMs >= healAtMs);
      const ids = new Set(majority.map((a) => cluster.ids[a] as AgentId));
      const onMajority = afterHeal.filter((e) => majority.includes(e.agent));
      // No agent of the majority held one of its own side dead, nor lost its quorum, ever.
      expect(
        onMajority.filter((e) => e.kind === 'member-dead' && ids.has(e.peer as AgentId)),
      ).toEqual([]);
      expect(onMajority.filter((e) => e.kind === 'quorum-lost')).toEqual([]);
      expect(events.filter((e) => majority.includes(e.agent) && e.kind === 'quorum-lost')).toEqual(
        [],
      );
      checker.sweep();
      expect(checkMembershipLiveness(cluster)).toEqual([]);
    },
  );
});
