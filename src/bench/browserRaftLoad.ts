import type { Page } from '@playwright/test';
import type { AgentWindow } from './browserAgentTabs';

/**
 * Sequential Raft operations between browser tabs through `window.mesh.ledger`: appends or gets
 * from one tab, each awaited and timed on the page's own clock (the bench's round trip to the
 * page is not in the figure). Throughput is browserThroughput.ts's.
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
