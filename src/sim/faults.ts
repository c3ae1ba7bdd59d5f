import { shuffleInPlace, type Prng } from '../core/base/prng';
import type { Cluster } from './cluster';
import type { PathConfig } from './network';

/** One fault or repair, as plain data so a plan can be printed and replayed. */
export type FaultAction =
  | { kind: 'crash'; agent: number }
  | { kind: 'leave'; agent: number }
  | { kind: 'restart'; agent: number }
  /** The agent stops processing for a while (a hung tab), then resumes and must refute. */
  | { kind: 'freeze'; agent: number; durationMs: number }
  | { kind: 'partition'; groups: number[][] }
  | { kind: 'heal-partition' }
  | { kind: 'cut'; pairs: [number, number][] }
  | { kind: 'restore'; pairs: [number, number][] }
  | { kind: 'network'; config: Partial<PathConfig> }
  | { kind: 'override'; a: number; b: number; config: Partial<PathConfig> | null };

export interface TimedFault {
  atMs: number;
  action: FaultAction;
}

export interface FaultPlanOptions {
  /** Faults start no earlier than this and are all repaired by `toMs`. */
  fromMs: number;
  toMs: number;
  /** The network's normal behaviour, restored after each spike. */
  baseline: PathConfig;
  /** Mean quiet time between faults on each timeline. */
  meanGapMs?: number;
}

function uniform(prng: Prng, lo: number, hi: number): number {
  return lo + prng.nextFloat() * (hi - lo);
}

/**
 * A random fault schedule over several independent timelines (crashes, partitions, one-way
 * cuts, network weather, slow links). Every fault is undone before `toMs`, so a liveness phase
 * can follow. The same prng state gives the same plan.
 */
export function randomFaultPlan(
  prng: Prng,
  cluster: Pick<Cluster, 'agentCount' | 'adjacency'>,
  options: FaultPlanOptions,
): TimedFault[] {
  const { fromMs, toMs } = options;
  const gapMs = options.meanGapMs ?? 4000;
  const plan: TimedFault[] = [];
  const add = (atMs: number, action: FaultAction) => plan.push({ atMs, action });
  const n = cluster.agentCount;
  const edges: [number, number][] = [];
  cluster.adjacency.forEach((peers, a) => peers.forEach((b) => a < b && edges.push([a, b])));

  // Crashes and graceful leaves, each followed by a restart.
  const downUntil = new Array<number>(n).fill(-1);
  for (let t = fromMs + uniform(prng, 0, gapMs); t < toMs; t += uniform(prng, 0, gapMs)) {
    const agent = prng.nextInt(n);
    const upAtMs = Math.min(toMs, t + uniform(prng, 1000, 10_000));
    if ((downUntil[agent] ?? -1) >= t) continue;
    downUntil[agent] = upAtMs;
    add(t, { kind: prng.nextFloat() < 0.7 ? 'crash' : 'leave', agent });
    add(upAtMs, { kind: 'restart', agent });
  }

  // Partitions, one at a time: halves, a minority, or one agent alone.
  for (let t = fromMs + uniform(prng, 0, gapMs); t < toMs;) {
    const endMs = Math.min(toMs, t + uniform(prng, 2000, 12_000));
    const order = shuffleInPlace(
      Array.from({ length: n }, (_, i) => i),
      prng,
    );
    const shape = prng.nextInt(3);
    const size =
      shape === 0
        ? Math.floor(n / 2)
        : shape === 1
          ? 1 + prng.nextInt(Math.max(1, Math.floor(n / 3)))
          : 1;
    add(t, { kind: 'partition', groups: [order.slice(0, Math.max(1, size))] });
    add(endMs, { kind: 'heal-partition' });
    t = endMs + uniform(prng, 1000, gapMs);
  }

  // One-way cuts on a few links at a time.
  for (let t = fromMs + uniform(prng, 0, gapMs); t < toMs && edges.length > 0;) {
    const endMs = Math.min(toMs, t + uniform(prng, 2000, 15_000));
    const pairs: [number, number][] = [];
    for (let k = 1 + prng.nextInt(3); k > 0; k--) {
      const [a, b] = edges[prng.nextInt(edges.length)] as [number, number];
      pairs.push(prng.nextFloat() < 0.5 ? [a, b] : [b, a]);
    }
    add(t, { kind: 'cut', pairs });
    add(endMs, { kind: 'restore', pairs });
    t = endMs + uniform(prng, 1000, gapMs);
  }

  // Network weather: loss, duplication, reordering or delay spikes, then back to the baseline.
  for (let t = fromMs + uniform(prng, 0, gapMs); t < toMs;) {
    const endMs = Math.min(toMs, t + uniform(prng, 2000, 8000));
    const spikes: Partial<PathConfig>[] = [
      { lossRate: uniform(prng, 0.05, 0.3) },
      { duplicateRate: uniform(prng, 0.05, 0.3) },
      { reorderRate: uniform(prng, 0.1, 0.5), reorderExtraMs: uniform(prng, 20, 200) },
      {
        delay: { kind: 'uniform', baseMs: uniform(prng, 50, 300), jitterMs: uniform(prng, 0, 100) },
      },
    ];
    add(t, { kind: 'network', config: spikes[prng.nextInt(spikes.length)] as Partial<PathConfig> });
    add(endMs, { kind: 'network', config: options.baseline });
    t = endMs + uniform(prng, 1000, gapMs);
  }

  // Single slow links (long-tailed delay).
  for (let t = fromMs + uniform(prng, 0, gapMs); t < toMs && edges.length > 0;) {
    const endMs = Math.min(toMs, t + uniform(prng, 2000, 10_000));
    const [a, b] = edges[prng.nextInt(edges.length)] as [number, number];
    const config: Partial<PathConfig> = {
      delay: { kind: 'lognormal', medianMs: uniform(prng, 100, 800), sigma: uniform(prng, 0.2, 1) },
    };
    add(t, { kind: 'override', a, b, config });
    add(endMs, { kind: 'override', a, b, config: null });
    t = endMs + uniform(prng, 1000, gapMs);
  }

  // Freezes (hung tabs), one at a time, never of an agent that is down.
  for (let t = fromMs + uniform(prng, 0, gapMs); t < toMs;) {
    const durationMs = Math.min(toMs - t, uniform(prng, 1000, 8000));
    const agent = prng.nextInt(n);
    if ((downUntil[agent] ?? -1) < t) add(t, { kind: 'freeze', agent, durationMs });
    t += durationMs + uniform(prng, 1000, gapMs);
  }

  // Stable order: by time, then by generation order (sort is stable).
  return plan.sort((x, y) => x.atMs - y.atMs);
}

export function applyFault(cluster: Cluster, action: FaultAction): void {
  switch (action.kind) {
    case 'crash':
      return cluster.crash(action.agent);
    case 'leave':
      return cluster.leave(action.agent);
    case 'restart':
      return cluster.restart(action.agent);
    case 'freeze':
      return cluster.freeze(action.agent, action.durationMs);
    case 'partition':
      return cluster.partition(action.groups);
    case 'heal-partition':
      return cluster.healPartition();
    case 'cut':
      for (const [from, to] of action.pairs) cluster.cutOneWay(from, to);
      return;
    case 'restore':
      for (const [from, to] of action.pairs) cluster.restoreOneWay(from, to);
      return;
    case 'network':
      return cluster.configureNetwork(action.config);
    case 'override':
      return cluster.overridePath(action.a, action.b, action.config);
  }
}

/** Queues every fault of a plan on the cluster's scheduler. */
export function schedulePlan(cluster: Cluster, plan: readonly TimedFault[]): void {
  for (const { atMs, action } of plan)
    cluster.scheduler.at(atMs, () => applyFault(cluster, action));
}
