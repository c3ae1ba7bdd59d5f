import type { LinksConfig } from '../core/links/config';
import { SafetyChecker } from '../sim/checkers';
import { Cluster } from '../sim/cluster';
import { edgeCount } from '../sim/topology';
import type { BenchResult } from './report';

const AGENTS = 1000;
const DEGREE = 8;
const WARMUP_SECONDS = 10;
const MEASURED_SECONDS = 120;
const WINDOW_SECONDS = 20;
/** Invariants of the agents stepped by every K-th event are checked (1 = every step). */
const CHECK_EVERY_EVENTS = 10;
const SEED = 42;

interface Variant {
  label: string;
  links: Partial<Omit<LinksConfig, 'selfId'>>;
  describe: string;
  /** The heartbeat workload carries the speed-up target. */
  speedupTarget: boolean;
}

const VARIANTS: Variant[] = [
  {
    label: '1 s heartbeats',
    links: { pingIntervalMs: 1000, pingFanout: 1 },
    describe: 'pingIntervalMs 1000, pingFanout 1 (one ping per agent per second), adverts every 2 s',
    speedupTarget: true,
  },
  {
    label: 'default links config',
    links: {},
    describe: 'browser defaults: every neighbour pinged each second (fanout 8), adverts every 2 s',
    speedupTarget: false,
  },
];

interface Measurement {
  wallMs: number;
  messages: number;
  events: number;
  checks: number;
  windowSpeedups: number[];
  buildMs: number;
  links: number;
}

function progress(text: string): void {
  process.stderr.write(text);
}

function measure(variant: Variant): Measurement {
  const buildStarted = performance.now();
  const cluster = new Cluster({
    seed: SEED,
    agentCount: AGENTS,
    topology: { kind: 'random', degree: DEGREE },
    links: variant.links,
  });
  const checker = new SafetyChecker(cluster, CHECK_EVERY_EVENTS).attach();
  const buildMs = performance.now() - buildStarted;
  progress(`sim bench, ${variant.label}: warm-up ${WARMUP_SECONDS} s`);
  cluster.runUntil(WARMUP_SECONDS * 1000);
  const sent0 = cluster.network.stats.sent;
  const events0 = cluster.events;
  const checks0 = checker.checks;
  const windowSpeedups: number[] = [];
  let wallMs = 0;
  for (let done = 0; done < MEASURED_SECONDS; done += WINDOW_SECONDS) {
    const started = performance.now();
    cluster.runFor(WINDOW_SECONDS * 1000);
    const windowMs = performance.now() - started;
    wallMs += windowMs;
    windowSpeedups.push((WINDOW_SECONDS * 1000) / windowMs);
    progress('.');
  }
  checker.sweep();
  progress(' done\n');
  return {
    wallMs,
    messages: cluster.network.stats.sent - sent0,
    events: cluster.events - events0,
    checks: checker.checks - checks0,
    windowSpeedups,
    buildMs,
    links: edgeCount(cluster.adjacency),
  };
}

/**
 * The simulator benchmark: 1,000 agents running the real protocol, host and codec over the
 * packet simulator, in this one Node process (one core). Two workloads: one heartbeat per agent
 * per second, and the browser's default links settings. Standalone: prints progress to stderr
 * and returns the figures for writeBenchReport.
 */
export async function runSimBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const variant of VARIANTS) {
    const m = measure(variant);
    const speedup = (MEASURED_SECONDS * 1000) / m.wallMs;
    const low = Math.min(...m.windowSpeedups).toFixed(1);
    const high = Math.max(...m.windowSpeedups).toFixed(1);
    const conditions =
      `${AGENTS} agents, random topology degree ${DEGREE} (${m.links} links), ${variant.describe}; ` +
      `seed ${SEED}, network 10 + U[0,5) ms one way, no faults; ${MEASURED_SECONDS} simulated s after a ` +
      `${WARMUP_SECONDS} s warm-up, one Node process (one core); invariants checked after every ` +
      `${CHECK_EVERY_EVENTS === 1 ? 'event' : `${CHECK_EVERY_EVENTS} events`} (K=${CHECK_EVERY_EVENTS}, ` +
      `${m.checks} checks); ${m.messages} messages, ${m.events} events in ${Math.round(m.wallMs)} ms ` +
      `wall; 20 s windows ranged ${low}x-${high}x; cluster built in ${Math.round(m.buildMs)} ms (not timed)`;
    const messagesPerSecond = (m.messages / m.wallMs) * 1000;
    results.push({
      name: `sim ${variant.label}: simulated time / wall time`,
      value: Math.round(speedup * 10) / 10,
      unit: 'x real time',
      ...(variant.speedupTarget ? { target: '>= 50x', met: speedup >= 50 } : {}),
      conditions,
    });
    results.push({
      name: `sim ${variant.label}: simulated messages per wall second`,
      value: Math.round(messagesPerSecond),
      unit: 'messages/s',
      target: '>= 250,000 on one core',
      met: messagesPerSecond >= 250_000,
      conditions,
    });
    results.push({
      name: `sim ${variant.label}: events per wall second`,
      value: Math.round((m.events / m.wallMs) * 1000),
      unit: 'events/s',
      conditions,
    });
  }
  return results;
}
