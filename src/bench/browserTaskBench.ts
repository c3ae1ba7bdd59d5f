import type { Page } from '@playwright/test';
import {
  closeAgentTabs,
  launchAgentTab,
  linkRoundTrips,
  openAgentRoom,
  type AgentTab,
  type AgentWindow,
} from './browserAgentTabs';
import { guarded, loadText, withAgentTabs, type BrowserSetting } from './browserGroup';
import { percentile, round } from './percentiles';
import type { BenchResult } from './report';
import { rowOf, type RowSpec } from './rowSpec';

/**
 * Group `tasks-browser`: `mesh.tasks` between agents that are tabs of one headless Chromium
 * instance on this machine (each tab in a context of its own), through the public API: a job of equal tasks submitted all to one agent
 * (the others steal) against the lower bound, the steal round trip, and auctions with eight
 * bidders. The `busy` kind spins for its time, so each worker's speed is known exactly (one
 * 50 ms task per 50 ms), which makes the lower bound the total work over the workers.
 */

const STEAL_AGENTS = 4;
const BIDDERS = 8;
const TASKS = 200;
const TASK_MS = 50;
const AUCTIONS = 40;
const FORM_TIMEOUT_MS = 60_000;
const CRITICAL_TASKS = 48;
const CRITICAL_TASK_MS = 50;
/** count-primes below this takes about CRITICAL_TASK_MS on this machine. */
const PRIMES_TO = 12_000_000;

const ROWS = {
  makespan: {
    name: `tasks (browser): ${TASKS} equal tasks submitted to one agent of four, time to done over the lower bound`,
    unit: 'x',
    target: '≤ 1.15',
    meets: (v: number) => v <= 1.15,
  },
  steal: {
    name: 'tasks (browser): steal round trip (ask to the victim handing tasks over), four tabs, p50',
    unit: 'ms',
    target: '< 10 ms',
    meets: (v: number) => v < 10,
  },
  separateMakespan: {
    name: `tasks (browser): the same job, each agent in a Chromium instance of its own, over the lower bound`,
    unit: 'x',
  },
  separateSteal: {
    name: 'tasks (browser): steal round trip there, p50',
    unit: 'ms',
  },
  critical: {
    name: `tasks (browser): a critical job of ${CRITICAL_TASKS} tasks over four agents, time to done over the same job unchecked (hash)`,
    unit: 'x',
  },
  award: {
    name: `tasks (browser): auction award with ${BIDDERS} bidders (announce to award), p99`,
    unit: 'ms',
    target: '< 50 ms',
    meets: (v: number) => v < 50,
  },
} satisfies Record<string, RowSpec>;

/** Resolves once every tab's Raft group has three voters or more and a leader. */
async function ledgerFormed(tabs: readonly AgentTab[]): Promise<void> {
  await Promise.all(
    tabs.map(({ page }) =>
      page.waitForFunction(
        () => {
          const status = (window as AgentWindow).mesh?.ledger.status();
          return status !== undefined && status.voters.length >= 3 && status.leader !== null;
        },
        null,
        { polling: 100, timeout: FORM_TIMEOUT_MS },
      ),
    ),
  );
}

/** Runs a job from `page` and resolves with its time from submit to done, in ms. */
async function timedJob(
  page: Page,
  job: { kind: string; inputs: unknown[]; strategy: string; costMs: number; critical?: boolean },
): Promise<number> {
  return (await timedResults(page, job)).ms;
}

/** The same, with the job's results. */
async function timedResults(
  page: Page,
  job: { kind: string; inputs: unknown[]; strategy: string; costMs: number; critical?: boolean },
): Promise<{ ms: number; results: unknown[] }> {
  return page.evaluate(async (request) => {
    const mesh = (window as AgentWindow).mesh;
    if (mesh === undefined) throw new Error('window.mesh is not there');
    const startedMs = performance.now();
    const results = await mesh.tasks.submit(request as never).done;
    return { ms: performance.now() - startedMs, results };
  }, job);
}

async function decisionsOf(page: Page) {
  return page.evaluate(() => (window as AgentWindow).mesh?.snapshot().tasks?.decisions ?? []);
}

/** One run of the steal job in a room of `tabs`: its time, its bound, its steals, the pings. */
async function stealJob(tabs: readonly AgentTab[], baseUrl: string) {
  await openAgentRoom(tabs, baseUrl, `bench-tasks-steal-${Date.now()}`, '&workers=1');
  await ledgerFormed(tabs);
  const load = loadText();
  const first = (tabs[0] as AgentTab).page;
  // Warm-up: worker pools started, links and the task table in use.
  await timedJob(first, {
    kind: 'busy',
    inputs: Array.from({ length: 8 }, () => ({ ms: 5 })),
    strategy: 'hash',
    costMs: 5,
  });
  const inputs = Array.from({ length: TASKS }, () => ({ ms: TASK_MS }));
  const { ms: makespanMs, results } = await timedResults(first, {
    kind: 'busy',
    inputs,
    strategy: 'steal',
    costMs: TASK_MS,
  });
  // The workers' speed as measured in this run: each busy task reports how long it spun (a
  // spinner the machine preempted spins longer than asked).
  const workMs = (results as { ms: number }[]).reduce((sum, r) => sum + r.ms, 0);
  // The links' own pings through the same run, for the steal round trip's scale.
  const pings: number[] = [];
  for (const tab of tabs) pings.push(...(await linkRoundTrips(tab.page)));
  const trips: number[] = [];
  for (const tab of tabs)
    for (const d of await decisionsOf(tab.page))
      if (d.type === 'steal' && d.got > 0) trips.push(d.roundTripMs);
  return { load, makespanMs, workMs, lowerBoundMs: workMs / tabs.length, trips, pings };
}

type StealRun = Awaited<ReturnType<typeof stealJob>>;

function makespanText(run: StealRun): string {
  const nominalBoundMs = (TASKS * TASK_MS) / STEAL_AGENTS;
  return (
    `${run.load}; four agents with one worker each, ${TASKS} busy tasks of ${TASK_MS} ms all ` +
    `submitted to one agent (strategy steal); done in ${round(run.makespanMs, 0)} ms, lower bound ` +
    `${round(run.lowerBoundMs, 0)} ms (the work the tasks measured, ${round(run.workMs, 0)} ms, ` +
    `over 4 workers; ${round(run.makespanMs / nominalBoundMs, 2)}x the nominal ${nominalBoundMs} ms)`
  );
}

function stealText(run: StealRun): string {
  return (
    `the ${run.trips.length} steals of that job, measured by each thief from its ask to the ` +
    `victim's answer; p99 ${round(percentile(run.trips, 99), 1)} ms; the links' own pings in ` +
    `the same run: p50 ${round(percentile(run.pings, 50), 1)} ms, p99 ` +
    `${round(percentile(run.pings, 99), 1)} ms`
  );
}

async function stealRows(setting: BrowserSetting, conditions: string): Promise<BenchResult[]> {
  const run = await stealJob(setting.tabs.slice(0, STEAL_AGENTS), setting.baseUrl);
  return [
    rowOf(ROWS.makespan, run.makespanMs / run.lowerBoundMs, `${conditions}; ${makespanText(run)}`),
    rowOf(ROWS.steal, percentile(run.trips, 50), `${conditions}; ${stealText(run)}`),
  ];
}

/**
 * The same job with each agent in a Chromium instance of its own: each instance is a session,
 * so a scheduling group of its own (autogroups), and a page's main thread waits behind its own
 * spinning worker for its group's share of the two cores.
 */
async function separateStealRows(setting: BrowserSetting): Promise<BenchResult[]> {
  const tabs: AgentTab[] = [];
  try {
    for (let i = 0; i < STEAL_AGENTS; i++) tabs.push(await launchAgentTab(setting.launch));
    const run = await stealJob(tabs, setting.baseUrl);
    const conditions =
      `each agent in a headless Chromium ${setting.browserVersion} instance of its own (a ` +
      `session each: with the kernel's autogroups, a scheduling group each), otherwise as above`;
    return [
      rowOf(
        ROWS.separateMakespan,
        run.makespanMs / run.lowerBoundMs,
        `${conditions}; ${makespanText(run)}`,
      ),
      rowOf(ROWS.separateSteal, percentile(run.trips, 50), `${conditions}; ${stealText(run)}`),
    ];
  } finally {
    await closeAgentTabs(tabs);
  }
}

/** A critical job against the same job unchecked, in one room of four agents, taken in turn. */
async function criticalRows(setting: BrowserSetting, conditions: string): Promise<BenchResult[]> {
  const tabs = setting.tabs.slice(0, STEAL_AGENTS);
  await openAgentRoom(tabs, setting.baseUrl, `bench-tasks-critical-${Date.now()}`, '&workers=1');
  await ledgerFormed(tabs);
  await Promise.all(
    tabs.map(({ page }) =>
      page.waitForFunction(
        (n) => (window as AgentWindow).mesh?.critical.status().n === n,
        tabs.length,
        { polling: 100, timeout: FORM_TIMEOUT_MS },
      ),
    ),
  );
  const load = loadText();
  const first = (tabs[0] as AgentTab).page;
  // count-primes: the same answer wherever it runs (busy answers with its agent, so copies of it
  // never agree); one range for every task, so the tasks are equal.
  const inputs = Array.from({ length: CRITICAL_TASKS }, () => ({ from: 0, to: PRIMES_TO }));
  const job = { kind: 'count-primes', inputs, strategy: 'hash', costMs: CRITICAL_TASK_MS };
  await timedJob(first, { ...job, inputs: inputs.slice(0, 8) });
  const plain: number[] = [];
  const checked: number[] = [];
  for (let round = 0; round < 3; round++) {
    plain.push(await timedJob(first, job));
    checked.push(await timedJob(first, { ...job, critical: true }));
  }
  const plainMs = percentile(plain, 50);
  const checkedMs = percentile(checked, 50);
  return [
    rowOf(
      ROWS.critical,
      checkedMs / plainMs,
      `${conditions}; ${load}; four agents with one worker each (f = 1: two copies of every ` +
        `task), ${CRITICAL_TASKS} equal count-primes tasks (0 to ${PRIMES_TO}), three of each in turn, ` +
        `medians: critical ${round(checkedMs, 0)} ms, unchecked ${round(plainMs, 0)} ms; the ` +
        `copies double the work, the acceptances go through pBFT`,
    ),
  ];
}

async function awardRows(setting: BrowserSetting, conditions: string): Promise<BenchResult[]> {
  const tabs = setting.tabs.slice(0, BIDDERS);
  await openAgentRoom(tabs, setting.baseUrl, `bench-tasks-auction-${Date.now()}`, '&workers=1');
  await ledgerFormed(tabs);
  const load = loadText();
  for (let i = 0; i < AUCTIONS; i++) {
    const page = (tabs[i % BIDDERS] as AgentTab).page;
    await timedJob(page, {
      kind: 'busy',
      inputs: [{ ms: 1 }, { ms: 1 }],
      strategy: 'auction',
      costMs: 1,
    });
  }
  // Every auction counts: one awarded at its award time without a late bid is one the user got.
  const waited: number[] = [];
  let complete = 0;
  for (const tab of tabs)
    for (const d of await decisionsOf(tab.page))
      if (d.type === 'award') {
        waited.push(d.waitedMs);
        if (d.bids === BIDDERS) complete++;
      }
  return [
    rowOf(
      ROWS.award,
      percentile(waited, 99),
      `${conditions}; ${load}; ${BIDDERS} agents, ${AUCTIONS} auctions one after another from each ` +
        `agent in turn, ${waited.length} awarded, ${complete} with all ${BIDDERS} bids in; the ` +
        `award waits for every bid, or 40 ms once every task has a capable one (150 ms while ` +
        `none has); p50 ${round(percentile(waited, 50), 1)} ms`,
    ),
  ];
}

export async function runBrowserTaskBench(): Promise<BenchResult[]> {
  const oneBrowser = true;
  return withAgentTabs(
    BIDDERS,
    Object.values(ROWS),
    async (setting) => {
      const { machine } = setting;
      const conditions =
        `agents as tabs of one headless Chromium ${setting.browserVersion} instance (a context ` +
        `each), on this machine (${machine.cpuModel}, ${machine.cores} cores), loopback, host ICE ` +
        `candidates only; pages opened with ?ui=0&workers=1`;
      const guard = (
        specs: readonly RowSpec[],
        label: string,
        measure: () => Promise<BenchResult[]>,
      ) => guarded('tasks-browser', specs, label, measure);
      return [
        ...(await guard([ROWS.makespan, ROWS.steal], 'stealing', () =>
          stealRows(setting, conditions),
        )),
        ...(await guard(
          [ROWS.separateMakespan, ROWS.separateSteal],
          'stealing, separate instances',
          () => separateStealRows(setting),
        )),
        ...(await guard([ROWS.critical], 'critical jobs', () => criticalRows(setting, conditions))),
        ...(await guard([ROWS.award], 'auctions', () => awardRows(setting, conditions))),
      ];
    },
    oneBrowser,
  );
}
