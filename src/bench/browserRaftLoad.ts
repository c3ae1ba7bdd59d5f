import type { Page } from '@playwright/test';
import type { AgentWindow } from './browserAgentTabs';

/**
 * Raft load between browser tabs through `window.mesh.ledger`: sequential appends or gets from
 * one tab, each awaited and timed on the page's own clock (the bench's round trip to the page
 * is not in the figure); and appends kept outstanding from every tab at once, counted in a
 * window after a warm-up.
 */

export interface SequentialOptions {
  operation: 'append' | 'get';
  /** Untimed operations first (the first ones pay for warming up). */
  warmup: number;
  count: number;
  /** The run stops after this long whatever it got (a broken mesh must not hang the bench). */
  budgetMs: number;
}

export interface SequentialResult {
  samplesMs: number[];
  /** Failed operations by error code (a failure is not timed, and not retried). */
  failures: Record<string, number>;
  /** Whether the tab led the group when the run ended. */
  leader: boolean;
}

/** Runs in the page: `count` awaited operations after `warmup` untimed ones. */
async function runSequentially(options: SequentialOptions): Promise<SequentialResult> {
  const mesh = (window as AgentWindow).mesh;
  if (mesh === undefined) throw new Error('window.mesh is not there');
  const samplesMs: number[] = [];
  const failures: Record<string, number> = {};
  let attempts = 0;
  const until = performance.now() + options.budgetMs;
  while (samplesMs.length < options.count && performance.now() < until) {
    attempts++;
    const started = performance.now();
    try {
      if (options.operation === 'append') await mesh.ledger.append({ n: attempts });
      else await mesh.ledger.get('bench');
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? 'error');
      failures[code] = (failures[code] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    if (attempts > options.warmup) samplesMs.push(performance.now() - started);
  }
  return { samplesMs, failures, leader: mesh.ledger.status().role === 'leader' };
}

export function measureSequential(
  page: Page,
  options: SequentialOptions,
): Promise<SequentialResult> {
  return page.evaluate(runSequentially, options);
}

export interface ThroughputOptions {
  /** Outstanding appends per tab (the ledger holds 256 per agent at most). */
  concurrency: number;
  warmupMs: number;
  measureMs: number;
}

export interface ThroughputResult {
  entriesPerSecond: number;
  committed: number;
  perTab: number[];
  /** Each tab's median append-to-resolve over the appends that resolved in the window. */
  tabLatencyP50Ms: number[];
  failures: Record<string, number>;
}

interface TabOutcome {
  committed: number;
  failures: Record<string, number>;
  latencyP50Ms: number;
}

/** Runs in the page: `concurrency` loops, each appending again as soon as its last resolved. */
async function appendConcurrently(options: ThroughputOptions): Promise<TabOutcome> {
  const mesh = (window as AgentWindow).mesh;
  if (mesh === undefined) throw new Error('window.mesh is not there');
  const from = performance.now() + options.warmupMs;
  const until = from + options.measureMs;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let committed = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        await mesh.ledger.append({ at: started });
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? 'error');
        failures[code] = (failures[code] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      const now = performance.now();
      if (now >= from && now < until) {
        committed++;
        latencies.push(now - started);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  latencies.sort((a, b) => a - b);
  return { committed, failures, latencyP50Ms: latencies[Math.floor(latencies.length / 2)] ?? NaN };
}

export async function measureThroughput(
  pages: readonly Page[],
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  // All tabs start within a few milliseconds of each other; the warm-up covers the skew.
  const outcomes = await Promise.all(
    pages.map((page) => page.evaluate(appendConcurrently, options)),
  );
  const failures: Record<string, number> = {};
  for (const outcome of outcomes) {
    for (const [code, count] of Object.entries(outcome.failures))
      failures[code] = (failures[code] ?? 0) + count;
  }
  const committed = outcomes.reduce((sum, o) => sum + o.committed, 0);
  return {
    entriesPerSecond: committed / (options.measureMs / 1000),
    committed,
    perTab: outcomes.map((o) => o.committed),
    tabLatencyP50Ms: outcomes.map((o) => o.latencyP50Ms),
    failures,
  };
}
