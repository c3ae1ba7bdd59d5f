import type { Page } from '@playwright/test';
import { linkRoundTrips, type AgentWindow } from './browserAgentTabs';
import { percentile } from './percentiles';

/**
 * Commit latency between browser tabs: one tab proposes `demo.increment` after `demo.increment`,
 * each awaited (propose to resolve: a Byzantine quorum committed it and this agent executed it),
 * timed on the page's own clock so the bench's round trip to the page is not in the figure. The
 * proposing tab rotates in blocks, so the primary's tab and the backups' tabs all count.
 */

export interface LatencyOptions {
  /** Discarded proposals per tab before its first block (the first ones pay for warming up). */
  warmupPerTab: number;
  blocks: number;
  perBlock: number;
  /** A block stops after this long whatever it got (a broken mesh must not hang the bench). */
  blockBudgetMs: number;
}

export interface LatencyResult {
  samplesMs: number[];
  /** The same samples by whether the proposing tab was the primary's. */
  primarySamplesMs: number[];
  backupSamplesMs: number[];
  /** Round trips of the link pings (each direction of each link), from every tab's snapshot. */
  linkRttMs: number[];
  /** Failed proposals by error code (a failure is retried, not timed). */
  failures: Record<string, number>;
  wallMs: number;
}

interface BlockResult {
  samples: number[];
  failures: Record<string, number>;
  primary: boolean;
}

/** Runs in the page: `count` sequential proposals after `warmup` untimed ones. */
async function proposeSequentially(args: {
  warmup: number;
  count: number;
  budgetMs: number;
}): Promise<BlockResult> {
  const mesh = (window as AgentWindow).mesh;
  if (mesh === undefined) throw new Error('window.mesh is not there');
  const samples: number[] = [];
  const failures: Record<string, number> = {};
  let attempts = 0;
  const until = performance.now() + args.budgetMs;
  while (samples.length < args.count && performance.now() < until) {
    attempts++;
    const started = performance.now();
    try {
      await mesh.critical.propose({ kind: 'demo.increment', by: 1 });
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? 'error');
      failures[code] = (failures[code] ?? 0) + 1;
      continue;
    }
    if (attempts > args.warmup) samples.push(performance.now() - started);
  }
  return { samples, failures, primary: mesh.critical.status().primary === mesh.id };
}

export async function measurePbftLatency(
  pages: readonly Page[],
  options: LatencyOptions,
): Promise<LatencyResult> {
  const started = performance.now();
  const result: LatencyResult = {
    samplesMs: [],
    primarySamplesMs: [],
    backupSamplesMs: [],
    linkRttMs: [],
    failures: {},
    wallMs: 0,
  };
  const warmed = new Set<number>();
  for (let block = 0; block < options.blocks; block++) {
    const index = block % pages.length;
    const warmup = warmed.has(index) ? 0 : options.warmupPerTab;
    warmed.add(index);
    const outcome = await (pages[index] as Page).evaluate(proposeSequentially, {
      warmup,
      count: options.perBlock,
      budgetMs: options.blockBudgetMs,
    });
    result.samplesMs.push(...outcome.samples);
    (outcome.primary ? result.primarySamplesMs : result.backupSamplesMs).push(...outcome.samples);
    for (const [code, count] of Object.entries(outcome.failures)) {
      result.failures[code] = (result.failures[code] ?? 0) + count;
    }
  }
  // The pings ran at the agent's default interval all through the run, on the same links.
  for (const page of pages) result.linkRttMs.push(...(await linkRoundTrips(page)));
  result.wallMs = performance.now() - started;
  return result;
}

/** One-way link delay as half the median ping round trip; latency p50 in multiples of it. */
export function latencyInOneWayDelays(result: LatencyResult): {
  oneWayMs: number;
  p50Delays: number;
} {
  const oneWayMs = percentile(result.linkRttMs, 50) / 2;
  return { oneWayMs, p50Delays: percentile(result.samplesMs, 50) / oneWayMs };
}
