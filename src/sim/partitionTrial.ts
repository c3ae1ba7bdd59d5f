import type { AgentId } from '../core/base/ids';
import { checkMembershipLiveness, SafetyChecker } from './checkers';
import { Cluster } from './cluster';
import { recordHostEvents } from './testSupport';

export interface PartitionTrialOptions {
  seed: number;
  agents: number;
  /** Agents on the side that keeps a quorum; every other agent is cut off from them. */
  majority: number[];
  /** The cut lasts this long (the minority declares the majority dead meanwhile). */
  partitionMs: number;
  /** The cut falls this long after the 10 s start, so it lands at a chosen phase of the timers. */
  phaseMs: number;
}

export interface PartitionTrial {
  /** From the cut until the last minority agent lost its quorum; null if one never did. */
  cutKnownMs: number | null;
  /** Quorum losses on the majority side, from the cut to the end. */
  majorityQuorumLosses: number;
  /** Dead verdicts the minority held about the majority when the heal came. */
  minorityDeadVerdicts: number;
  /** From the heal (and from the first link across) to one membership view everywhere. */
  healMs: number | null;
  healFromFirstLinkMs: number | null;
  /** Dead verdicts the majority made about its own members after the heal. */
  majorityFalseDead: number;
  /** The run ended with one view and every invariant held (the safety checker throws else). */
  settled: boolean;
}

/**
 * One cut and heal of a full mesh in the simulator, measured from the agents' own events: when
 * the cut-off side knew it had no quorum, whether the majority ever lost its own, how long the
 * heal took to give one view everywhere, and whether the far side's stale dead verdicts made
 * the majority declare any of its own members dead. Used by the partition test and bench.
 */
export function runPartitionTrial(options: PartitionTrialOptions): PartitionTrial {
  const { agents, majority } = options;
  const cluster = new Cluster({ seed: options.seed, agentCount: agents, traceKeepLast: 0 });
  const checker = new SafetyChecker(cluster).attach();
  const events = recordHostEvents(cluster);
  const onMajority = new Set(majority);
  const minority = Array.from({ length: agents }, (_, i) => i).filter((a) => !onMajority.has(a));
  const majorityIds = new Set(majority.map((a) => cluster.ids[a] as AgentId));
  cluster.runUntil(10_000 + options.phaseMs);

  const cutAtMs = cluster.nowMs();
  cluster.partition([majority, minority]);
  cluster.runUntil(cutAtMs + options.partitionMs);
  const lostAt = minority.map(
    (a) => events.find((e) => e.agent === a && e.atMs >= cutAtMs && e.kind === 'quorum-lost')?.atMs,
  );
  const cutKnownMs = lostAt.every((t) => t !== undefined)
    ? Math.max(...lostAt.map((t) => (t as number) - cutAtMs))
    : null;
  let minorityDeadVerdicts = 0;
  for (const a of minority) {
    for (const b of majority) {
      if (cluster.agents[a]?.memberStatus(cluster.ids[b] as AgentId) === 'dead') {
        minorityDeadVerdicts++;
      }
    }
  }

  const healAtMs = cluster.nowMs();
  let firstLinkMs: number | null = null;
  cluster.heal();
  let healMs: number | null = null;
  while (cluster.nowMs() < healAtMs + 30_000) {
    cluster.runFor(10);
    firstLinkMs ??=
      events.find(
        (e) =>
          e.atMs >= healAtMs &&
          e.kind === 'link-up' &&
          onMajority.has(e.agent) !== onMajority.has(e.peerIndex),
      )?.atMs ?? null;
    if (checkMembershipLiveness(cluster).length === 0) {
      healMs = cluster.nowMs() - healAtMs;
      break;
    }
  }
  cluster.runFor(10_000);
  checker.sweep();
  const majorityFalseDead = events.filter(
    (e) =>
      e.atMs >= healAtMs &&
      onMajority.has(e.agent) &&
      e.kind === 'member-dead' &&
      majorityIds.has(e.peer as AgentId),
  ).length;
  const majorityQuorumLosses = events.filter(
    (e) => e.atMs >= cutAtMs && onMajority.has(e.agent) && e.kind === 'quorum-lost',
  ).length;
  return {
    cutKnownMs,
    majorityQuorumLosses,
    minorityDeadVerdicts,
    healMs,
    healFromFirstLinkMs:
      healMs === null || firstLinkMs === null ? null : healAtMs + healMs - firstLinkMs,
    majorityFalseDead,
    settled: checkMembershipLiveness(cluster).length === 0,
  };
}
