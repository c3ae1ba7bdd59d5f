import type { Page } from '@playwright/test';
import type { AgentWindow } from './browserAgentTabs';

/**
 * Throughput between browser tabs: every tab keeps `concurrency` operations outstanding (each
 * resolved one is replaced at once: a pBFT `demo.increment` proposal or a ledger append) and
 * counts those that resolve inside the measured window, after a warm-up that fills the
 * pipeline. The sum over the tabs, per second, is the figure.
 */

export interface ThroughputOptions {
  operation: 'critical.propose' | 'ledger.append';
  /** Outstanding operations per tab (pBFT's client allows 64, the ledger 256). */
  concurrency: number;
  warmupMs: number;
  measureMs: number;
}

export interface ThroughputResult {
  perSecond: number;
  committed: number;
  perTab: number[];
  /** Each tab's median start-to-resolve over the operations that resolved in the window. */
  tabLatencyP50Ms: number[];
  failures: Record<string, number>;
  measureMs: number;
}

interface TabOutcome {
  committed: number;
  failures: Record<string, number>;
  latencyP50Ms: number;
}

/** Runs in the page: `concurrency` loops, each starting again as soon as its last resolved. */
async function runConcurrently(options: ThroughputOptions): Promise<TabOutcome> {
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
        if (options.operation === 'ledger.append') await mesh.ledger.append({ at: started });
        else await mesh.critical.propose({ kind: 'demo.increment', by: 1 });
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? 'error');
        failures[code] = (failures[code] ?? 0) + 1;
        // A refusal comes back at once: wait a little rather than spin the page.
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
  const latencyP50Ms = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
  return { committed, failures, latencyP50Ms };
}

export async function measureThroughput(
  pages: readonly Page[],
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  // All tabs start within a few milliseconds of each other; the warm-up covers the skew.
  const outcomes = await Promise.all(pages.map((page) => page.evaluate(runConcurrently, options)));
  const failures: Record<string, number> = {};
  for (const outcome of outcomes) {
    for (const [code, count] of Object.entries(outcome.failures)) {
      failures[code] = (failures[code] ?? 0) + count;
    }
  }
  const committed = outcomes.reduce((sum, outcome) => sum + outcome.committed, 0);
  return {
    perSecond: committed / (options.measureMs / 1000),
    committed,
    perTab: outcomes.map((outcome) => outcome.committed),
    tabLatencyP50Ms: outcomes.map((outcome) => outcome.latencyP50Ms),
    failures,
    measureMs: options.measureMs,
  };
}
