import { chromium, type Browser, type LaunchOptions, type Page } from '@playwright/test';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { chromiumLaunchOptions } from '../../e2e/browsers';
import { startServer } from '../../server/startServer';
import type { AgentId } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import { benchRow } from './benchRow';
import { clockOffset, joinRoom, waitSettled, type DebugWindow } from './browserMesh';
import { percentile, round, seconds } from './percentiles';
import type { BenchResult } from './report';

/**
 * Partitions in a five-tab browser mesh (four instances), cut and healed through the chaos
 * commands from a majority tab, as a user does from the dashboard:
 *
 * - cut: when each tab cut off holds `hasQuorum` false (its own snapshot, read every 20 ms in
 *   the page, on the page's clock), and whether any majority tab lost its quorum;
 * - heal: when every tab again links to all, holds all alive and counts 5/5 (one view), and
 *   whether a majority tab declared one of its own side dead (the far side's stale verdicts).
 *
 * The cut lasts long enough for the minority to declare the majority dead, so every heal has
 * stale verdicts to spread. A fresh room per trial; shapes 4|1 and 3|2 alternate.
 */
export interface PartitionBenchOptions {
  baseUrl: string;
  launch: LaunchOptions;
  trials: number;
  seed: number;
  partitionMs: number;
  progress?: (text: string) => void;
}

export interface BrowserPartitions {
  /** Per trial: the last minority tab to know, ms after the cut. */
  cutKnownMs: number[];
  /** Per trial: the last tab to reach one view, ms after the heal. */
  healMs: number[];
  majorityQuorumLosses: number;
  majorityFalseDead: number;
  /** Trials whose mesh did not settle, or whose cut or heal was not seen within 30 s. */
  failed: number;
  maxClockBracketMs: number;
  wallMs: number;
  loadAverage: [number, number];
}

/** Three instances with one tab, one with two: the e2e suite's five agents. */
const LAYOUT = [1, 1, 1, 2];
const QUIET_MS = 1000;

/** Starts recording, in the page, the quorum and dead-verdict events the agent logs. */
async function recordEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as DebugWindow & {
      benchEvents?: { kind: string; peer?: string; atMs: number }[];
    };
    w.benchEvents = [];
    w.meshDebug?.onEvent((event) => {
      if (event.kind === 'quorum-lost' || event.kind === 'member-dead') {
        w.benchEvents?.push({
          kind: event.kind,
          atMs: event.atMs,
          ...(event.peer === undefined ? {} : { peer: event.peer }),
        });
      }
    });
  });
}

async function recordedEvents(
  page: Page,
): Promise<{ kind: string; peer?: string; atMs: number }[]> {
  return page.evaluate(
    () =>
      (window as { benchEvents?: { kind: string; peer?: string; atMs: number }[] }).benchEvents ??
      [],
  );
}

/** Resolves with the page-clock time at which this tab's quorum flag first read false. */
async function waitNoQuorum(page: Page, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(
    () =>
      (window as DebugWindow).meshDebug?.snapshot().quorum.hasQuorum === false
        ? performance.timeOrigin + performance.now()
        : false,
    undefined,
    { polling: 20, timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as number;
}

/** The bench instant mapped onto every page's clock (and the largest mapping bracket). */
async function instantOnPages(pages: Page[]): Promise<{ atMs: number[]; bracketMs: number }> {
  const offsets = [];
  for (const page of pages) offsets.push(await clockOffset(page));
  const now = performance.timeOrigin + performance.now();
  return {
    atMs: offsets.map((o) => now + o.offsetMs),
    bracketMs: Math.max(...offsets.map((o) => o.bracketMs)),
  };
}

export async function measureBrowserPartitions(
  options: PartitionBenchOptions,
): Promise<BrowserPartitions> {
  const progress = options.progress ?? (() => undefined);
  const prng = createSeededPrng(options.seed);
  const started = performance.now();
  const result: BrowserPartitions = {
    cutKnownMs: [],
    healMs: [],
    majorityQuorumLosses: 0,
    majorityFalseDead: 0,
    failed: 0,
    maxClockBracketMs: 0,
    wallMs: 0,
    loadAverage: [loadavg()[0] ?? Number.NaN, Number.NaN],
  };
  const browsers: Browser[] = [];
  const pages: Page[] = [];
  try {
    for (const tabs of LAYOUT) {
      const browser = await chromium.launch(options.launch);
      browsers.push(browser);
      const context = await browser.newContext();
      for (let i = 0; i < tabs; i++) pages.push(await context.newPage());
    }
    for (let trial = 0; trial < options.trials; trial++) {
      const room = `bench-partition-${options.seed}-${trial}-${Date.now()}`;
      const ids = await Promise.all(pages.map((page) => joinRoom(page, options.baseUrl, room)));
      try {
        await Promise.all(pages.map((page) => waitSettled(page, ids, 60_000)));
      } catch {
        result.failed++;
        progress('u');
        continue;
      }
      const majoritySize = trial % 2 === 0 ? 4 : 3;
      // Which tabs are cut off varies, so the two-tab instance is on either side.
      const order = [...pages.keys()].sort(() => prng.nextFloat() - 0.5);
      const majority = order.slice(0, majoritySize);
      const minority = order.slice(majoritySize);
      const group = (side: number[]) => side.map((i) => ids[i] as AgentId);
      for (const page of pages) await recordEvents(page);
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS + prng.nextFloat() * 1000));

      const operator = pages[majority[0] as number] as Page;
      const cut = await instantOnPages(pages);
      await operator.evaluate(
        (groups) => (window as DebugWindow).meshDebug?.commands.partition(groups as AgentId[][]),
        [group(majority), group(minority)],
      );
      let known: number[];
      try {
        known = await Promise.all(
          minority.map(
            async (i) => (await waitNoQuorum(pages[i] as Page, 30_000)) - (cut.atMs[i] as number),
          ),
        );
      } catch {
        result.failed++;
        progress('x');
        await operator.evaluate(() => (window as DebugWindow).meshDebug?.commands.heal());
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, options.partitionMs));

      const heal = await instantOnPages(pages);
      await operator.evaluate(() => (window as DebugWindow).meshDebug?.commands.heal());
      let healed: number[];
      try {
        healed = await Promise.all(
          pages.map(
            async (page, i) => (await waitSettled(page, ids, 30_000)) - (heal.atMs[i] as number),
          ),
        );
      } catch {
        result.failed++;
        progress('h');
        continue;
      }
      result.maxClockBracketMs = Math.max(result.maxClockBracketMs, cut.bracketMs, heal.bracketMs);
      result.cutKnownMs.push(Math.max(...known));
      result.healMs.push(Math.max(...healed));
      const majorityIds = new Set(group(majority));
      for (const i of majority) {
        const events = await recordedEvents(pages[i] as Page);
        result.majorityQuorumLosses += events.filter((e) => e.kind === 'quorum-lost').length;
        result.majorityFalseDead += events.filter(
          (e) =>
            e.kind === 'member-dead' &&
            e.atMs >= (heal.atMs[i] as number) &&
            majorityIds.has(e.peer as AgentId),
        ).length;
      }
      progress('.');
    }
  } finally {
    await Promise.all(browsers.map((browser) => browser.close()));
  }
  result.wallMs = performance.now() - started;
  result.loadAverage[1] = loadavg()[0] ?? Number.NaN;
  return result;
}

/** The bench rows: cut known p99, one view after a heal p99, and the majority's losses. */
export function browserPartitionResults(
  partitions: BrowserPartitions,
  setup: { trials: number; seed: number; partitionMs: number },
): BenchResult[] {
  const measured = partitions.cutKnownMs.length;
  const conditions =
    `five agents (tabs) in four headless Chromium instances (1+1+1+2 tabs), loopback, host ICE ` +
    `candidates only, browser defaults (reach window 3 s, link pings 1 s, probes 1 s); a fresh ` +
    `room per trial, cut once every tab links to all and counts 5/5, after 1 s + U[0, 1 s) ` +
    `(seed ${setup.seed}); shapes 4|1 and 3|2 alternating, sides drawn at random; cut and heal ` +
    `by the signed chaos commands from a majority tab; the cut lasts ${setup.partitionMs / 1000} s ` +
    `(the minority declares the majority dead); times from each tab's own snapshots read every ` +
    `20 ms on its clock, the command instant mapped onto it (bracket <= ` +
    `${round(partitions.maxClockBracketMs, 1)} ms); ${measured} of ${setup.trials} trials ` +
    `measured, ${partitions.failed} failed; wall ${Math.round(partitions.wallMs / 1000)} s, ` +
    `1-min load average ${partitions.loadAverage.map((l) => l.toFixed(1)).join(' at start, ')} at end`;
  const cutP99 = percentile(partitions.cutKnownMs, 99);
  const healP99 = percentile(partitions.healMs, 99);
  const nearestRank = measured < 100 ? `; with ${measured} trials the p99 is the largest` : '';
  return [
    benchRow(
      'partition known on every tab cut off (quorum flag false), five-tab browser mesh, p99',
      seconds(cutP99),
      's',
      '< 5 s',
      (v) => v < 5 && partitions.failed === 0 && measured > 0,
      `${conditions}; p50 ${seconds(percentile(partitions.cutKnownMs, 50))} s${nearestRank}; ` +
        `majority tabs that lost their quorum at any time: ${partitions.majorityQuorumLosses}`,
    ),
    benchRow(
      'one view everywhere after a heal, five-tab browser mesh, p99',
      seconds(healP99),
      's',
      '< 3 s',
      (v) => v < 3 && partitions.failed === 0 && measured > 0,
      `${conditions}; from the heal command to the last tab linking to all four others, holding ` +
        `them alive and counting 5/5; p50 ${seconds(percentile(partitions.healMs, 50))} s${nearestRank}`,
    ),
    benchRow(
      'dead verdicts and quorum losses on the majority side through cut and heal, browser',
      partitions.majorityFalseDead + partitions.majorityQuorumLosses,
      'events',
      '0',
      (v) => v === 0 && measured > 0,
      `${conditions}; dead verdicts about own-side members after the heal: ` +
        `${partitions.majorityFalseDead}; quorum losses: ${partitions.majorityQuorumLosses}`,
    ),
  ];
}

const TRIALS = 12;
const SEED = 8;
const PARTITION_MS = 12_000;

/** `npm run bench -- --only partition`: starts the server and Chromium itself. */
export async function runBrowserPartitionBench(): Promise<BenchResult[]> {
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  try {
    if (!server.distFound)
      throw new Error('dist/ is missing: run `vite build` first (npm run bench does)');
    process.stderr.write(`partition bench: ${TRIALS} cuts and heals in a five-tab mesh `);
    const partitions = await measureBrowserPartitions({
      baseUrl: server.url,
      launch: chromiumLaunchOptions(),
      trials: TRIALS,
      seed: SEED,
      partitionMs: PARTITION_MS,
      progress: (text) => process.stderr.write(text),
    });
    process.stderr.write('\n');
    return browserPartitionResults(partitions, {
      trials: TRIALS,
      seed: SEED,
      partitionMs: PARTITION_MS,
    });
  } finally {
    await server.close();
  }
}
