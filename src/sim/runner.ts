import { DEFAULT_LINKS_CONFIG, type LinksConfig } from '../core/links/config';
import { checkLinkLiveness, SafetyChecker, SafetyViolation } from './checkers';
import { Cluster } from './cluster';
import { randomFaultPlan, schedulePlan } from './faults';
import { DROP_CAUSES, type DropCause, type PathConfig } from './network';
import { Stream, streamPrng } from './seeds';
import { edgeCount, type TopologySpec } from './topology';

export interface SimRunOptions {
  seed: number;
  agents: number;
  seconds: number;
  topology?: TopologySpec;
  network?: Partial<PathConfig>;
  links?: Partial<Omit<LinksConfig, 'selfId'>>;
  /** Random faults drawn from the seed, all repaired before a final liveness phase. */
  faults?: boolean;
  /** Check agent invariants after every K-th event (1: after every step). */
  checkEvery?: number;
  /** Time after the heal within which every link must be back up and measured. */
  livenessBoundMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  traceKeepLast?: number;
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
}

/** Initial links come up at random times within this window. */
const JOIN_SPREAD_MS = 1000;
export const DEFAULT_RECONNECT_BASE_MS = 500;
export const DEFAULT_RECONNECT_MAX_MS = 4000;

/** How long after a heal links may take to come back: a timeout, a backoff and a few probes. */
export function defaultLivenessBoundMs(options: SimRunOptions): number {
  const links = { ...DEFAULT_LINKS_CONFIG, ...options.links };
  const reconnectMaxMs = options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS;
  return links.linkTimeoutMs + reconnectMaxMs + 3 * links.pingIntervalMs;
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
    joinSpreadMs: JOIN_SPREAD_MS,
    reconnectBaseMs: options.reconnectBaseMs ?? DEFAULT_RECONNECT_BASE_MS,
    reconnectMaxMs: options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS,
    // Throttled timers are a fault too: with faults on, up to 50 ms late, drawn from the seed.
    timerLatenessMs: options.faults ? faultPrng.nextFloat() * 50 : 0,
    traceKeepLast: options.traceKeepLast ?? 0,
  });
  const checker = new SafetyChecker(cluster, options.checkEvery ?? 1).attach();
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
  };
}
