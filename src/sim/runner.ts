import { DEFAULT_LINKS_CONFIG } from '../core/links/config';
import { DEFAULT_SWIM_CONFIG, type SwimOverrides } from '../core/swim/config';
import {
  checkLinkLiveness,
  checkMembershipLiveness,
  MembershipSafety,
  SafetyChecker,
  SafetyViolation,
} from './checkers';
import { Cluster, type ClusterOptions } from './cluster';
import { randomFaultPlan, schedulePlan } from './faults';
import { DROP_CAUSES, type DropCause } from './network';
import { Stream, streamPrng } from './seeds';
import { edgeCount } from './topology';

/** A run: the cluster's own options where they mean the same, plus what the run adds. */
export interface SimRunOptions extends Pick<
  ClusterOptions,
  | 'seed'
  | 'topology'
  | 'network'
  | 'links'
  | 'swim'
  | 'reconnectBaseMs'
  | 'reconnectMaxMs'
  | 'traceKeepLast'
> {
  agents: number;
  seconds: number;
  /** Random faults drawn from the seed, all repaired before a final liveness phase. */
  faults?: boolean;
  /** Check agent invariants after every K-th event (1: after every step). */
  checkEvery?: number;
  /** Time after the heal within which every link must be back up and measured. */
  livenessBoundMs?: number;
}

export interface SimReport {
  seed: number;
  agents: number;
  links: number;
  simSeconds: number;
  wallMs: number;
  /** Simulated time over wall time of the run loop (building the cluster excluded). */
  speedup: number;
  events: number;
  eventsPerWallSecond: number;
  messages: {
    sent: number;
    delivered: number;
    duplicated: number;
    dropped: Record<DropCause, number>;
  };
  messagesPerWallSecond: number;
  traceHash: string;
  traceRecords: number;
  invariantChecks: number;
  checkEvery: number;
  sweeps: number;
  faults: number;
  hostEvents: Record<string, number>;
  /** Problems found by the liveness check (empty: passed); null if the run was too short. */
  livenessProblems: string[] | null;
  membership: {
    /** Dead verdicts (every agent's), suspicions raised or heard, refutations. */
    deadVerdicts: number;
    suspicions: number;
    refutations: number;
    /** Problems found by the membership liveness check; null if the run was too short. */
    livenessProblems: string[] | null;
  };
}

/** Initial links come up at random times within this window. */
const JOIN_SPREAD_MS = 1000;
export const DEFAULT_RECONNECT_BASE_MS = 500;
export const DEFAULT_RECONNECT_MAX_MS = 4000;

/**
 * How long after a heal links may take to come back (a timeout, a backoff and a few probes),
 * and then membership to agree (restarted agents found and refuted: two gossip rounds).
 */
export function defaultLivenessBoundMs(options: SimRunOptions): number {
  const links = { ...DEFAULT_LINKS_CONFIG, ...options.links };
  const swim = { ...DEFAULT_SWIM_CONFIG, ...options.swim };
  const reconnectMaxMs = options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS;
  return (
    links.linkTimeoutMs + reconnectMaxMs + 3 * links.pingIntervalMs + 2 * swim.gossipIntervalMs
  );
}

/**
 * How long a member, its judge and the network must have been undisturbed before a dead verdict
 * about a running member counts as false: the longest suspicion (no confirmations) plus the
 * longest probe period (local health stretched to the maximum) plus two gossip rounds.
 */
export function membershipQuietMs(agents: number, swim: SwimOverrides = {}): number {
  const c = { ...DEFAULT_SWIM_CONFIG, ...swim };
  const minSuspicionMs = c.suspicionMinMult * Math.max(1, Math.log10(agents)) * c.probeIntervalMs;
  return (
    c.suspicionMaxMult * minSuspicionMs +
    c.localHealthMax * c.probeIntervalMs +
    2 * c.gossipIntervalMs
  );
}

/**
 * One seeded run: builds the cluster, schedules random faults if asked (repaired at
 * `seconds - livenessBound`), runs with the safety checker attached, then checks liveness.
 * Throws SafetyViolation on a broken invariant. Everything but `wallMs` and the rates is a
 * function of the options.
 */
export function runSimulation(options: SimRunOptions): SimReport {
  const { seed, agents, seconds } = options;
  const endMs = seconds * 1000;
  const livenessBoundMs = options.livenessBoundMs ?? defaultLivenessBoundMs(options);
  const faultPrng = streamPrng(seed, Stream.faults);
  const cluster = new Cluster({
    seed,
    agentCount: agents,
    ...(options.topology === undefined ? {} : { topology: options.topology }),
    ...(options.network === undefined ? {} : { network: options.network }),
    ...(options.links === undefined ? {} : { links: options.links }),
    ...(options.swim === undefined ? {} : { swim: options.swim }),
    joinSpreadMs: JOIN_SPREAD_MS,
    reconnectBaseMs: options.reconnectBaseMs ?? DEFAULT_RECONNECT_BASE_MS,
    reconnectMaxMs: options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS,
    // Throttled timers are a fault too: with faults on, up to 50 ms late, drawn from the seed.
    timerLatenessMs: options.faults ? faultPrng.nextFloat() * 50 : 0,
    traceKeepLast: options.traceKeepLast ?? 0,
  });
  const checker = new SafetyChecker(cluster, options.checkEvery ?? 1).attach();
  const membership = new MembershipSafety(cluster, {
    quietMs: membershipQuietMs(agents, options.swim),
    throwOnFalseVerdict: true,
  }).attach();
  const healAtMs = endMs - livenessBoundMs;
  let faults = 0;
  if (options.faults && healAtMs > 2000) {
    const plan = randomFaultPlan(faultPrng, cluster, {
      fromMs: 2000,
      toMs: healAtMs,
      baseline: cluster.network.config,
    });
    schedulePlan(cluster, plan);
    faults = plan.length;
    cluster.scheduler.at(healAtMs, () => cluster.healAll());
  }
  const started = performance.now();
  try {
    cluster.runUntil(endMs);
    checker.sweep();
    membership.sweep();
  } catch (error) {
    if (error instanceof SafetyViolation) error.traceTail = cluster.trace.recent();
    throw error;
  }
  const wallMs = performance.now() - started;
  // Without faults the whole run is the liveness phase, once the initial links had time to form.
  const settledMs =
    JOIN_SPREAD_MS +
    2 * (options.links?.pingIntervalMs ?? DEFAULT_LINKS_CONFIG.pingIntervalMs) +
    1000;
  const checkLiveness = faults > 0 || (!options.faults && endMs >= settledMs);
  const livenessProblems = checkLiveness ? checkLinkLiveness(cluster) : null;
  // Membership needs a founding (foundAfterMs) and an exchange or two on top of the links.
  const swim = { ...DEFAULT_SWIM_CONFIG, ...options.swim };
  const membershipSettledMs = settledMs + swim.foundAfterMs + 2 * swim.gossipIntervalMs;
  const checkMembership = faults > 0 || (!options.faults && endMs >= membershipSettledMs);
  const membershipProblems = checkMembership ? checkMembershipLiveness(cluster) : null;
  const stats = cluster.network.stats;
  const dropped = Object.fromEntries(DROP_CAUSES.map((c) => [c, stats.dropped[c]])) as Record<
    DropCause,
    number
  >;
  return {
    seed,
    agents,
    links: edgeCount(cluster.adjacency),
    simSeconds: seconds,
    wallMs,
    speedup: endMs / wallMs,
    events: cluster.events,
    eventsPerWallSecond: (cluster.events / wallMs) * 1000,
    messages: {
      sent: stats.sent,
      delivered: stats.delivered,
      duplicated: stats.duplicated,
      dropped,
    },
    messagesPerWallSecond: (stats.sent / wallMs) * 1000,
    traceHash: cluster.trace.hashHex(),
    traceRecords: cluster.trace.count,
    invariantChecks: checker.checks,
    checkEvery: checker.everyEvents,
    sweeps: checker.sweeps,
    faults,
    hostEvents: Object.fromEntries(cluster.hostEventCounts),
    livenessProblems,
    membership: {
      deadVerdicts: membership.deadVerdicts,
      suspicions: membership.suspicions,
      refutations: membership.refutations,
      livenessProblems: membershipProblems,
    },
  };
}
