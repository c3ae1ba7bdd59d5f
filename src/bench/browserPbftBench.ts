import { latencyInOneWayDelays, measurePbftLatency } from './browserPbftLatency';
import { openAgentRoom, reviveTabs } from './browserAgentTabs';
import { failureText, guarded, loadText, withAgentTabs, type BrowserSetting } from './browserGroup';
import { waitPbftFormed } from './browserPbftMesh';
import { measureThroughput } from './browserThroughput';
import { measurePbftViewChange } from './browserPbftViewChange';
import { percentile, round } from './percentiles';
import type { BenchResult } from './report';
import { rowOf, type RowSpec } from './rowSpec';

/**
 * Group `pbft-browser`: pBFT between four agents in four headless Chromium instances on this
 * machine, through the public API (`window.mesh.critical`): commit latency against the links'
 * own delay, throughput unbatched and batched, and a view change after the primary's browser is
 * killed. Each measurement that fails yields its rows as NaN with the reason; the others stand.
 */

const REPLICAS = 4;
/** 8 blocks of 40, rotated over the four tabs, after 5 untimed proposals per tab: 320 samples. */
const LATENCY = { warmupPerTab: 5, blocks: 8, perBlock: 40, blockBudgetMs: 30_000 };
/** The client's cap on outstanding proposals per agent (core/pbft/client.ts). */
const THROUGHPUT = {
  operation: 'critical.propose',
  concurrency: 64,
  warmupMs: 1000,
  measureMs: 5000,
} as const;
const VIEW_CHANGE = { trials: 20, seed: 1, budgetMs: 180_000 };
const FORM_TIMEOUT_MS = 30_000;
/** The replicas' admission limit per client (core/pbft/config.ts): the ceiling of four clients. */
const CLIENT_RATE_PER_SECOND = 1000;

const LATENCY_ROWS = {
  p50: {
    name: 'pBFT commit latency, four browser tabs, propose to resolve, p50',
    unit: 'ms',
    target: '< 15 ms',
    meets: (v: number) => v < 15,
  },
  p99: {
    name: 'pBFT commit latency, four browser tabs, propose to resolve, p99',
    unit: 'ms',
    target: '< 50 ms',
    meets: (v: number) => v < 50,
  },
  oneWay: {
    name: 'pBFT link one-way delay, four browser tabs, half the ping round trip, p50',
    unit: 'ms',
  },
  delays: {
    name: 'pBFT commit latency, four browser tabs, in one-way link delays, p50',
    unit: 'one-way delays',
    target: 'about 5 is the floor (request, pre-prepare, prepare, commit, reply)',
  },
} satisfies Record<string, RowSpec>;

const UNBATCHED_ROW: RowSpec = {
  name: 'pBFT throughput unbatched (1 request per batch), four browser tabs',
  unit: 'actions/s',
  target: '≥ 300/s',
  meets: (v) => v >= 300,
};

const BATCHED_ROW: RowSpec = {
  name: 'pBFT throughput batched (up to 64 requests per batch), four browser tabs',
  unit: 'actions/s',
  target: '≥ 3000/s',
  meets: (v) => v >= 3000,
};

const VIEW_CHANGE_ROWS = {
  p99: {
    name: "pBFT view change, four browser tabs, primary's browser killed to the next commit, p99",
    unit: 'ms',
    target: '< 2 s',
    meets: (v: number) => v < 2000,
  },
  p50: {
    name: "pBFT view change, four browser tabs, primary's browser killed to the next commit, p50",
    unit: 'ms',
  },
} satisfies Record<string, RowSpec>;

const ALL_ROWS: RowSpec[] = [
  ...Object.values(LATENCY_ROWS),
  UNBATCHED_ROW,
  BATCHED_ROW,
  ...Object.values(VIEW_CHANGE_ROWS),
];

interface Setting extends BrowserSetting {
  /** Conditions every row shares: machine, browser, tabs, the agent's settings. */
  conditions: string;
}

/** A fresh room with a formed replica set of four, every tab's browser alive. */
async function freshRoom(setting: Setting, name: string, query = ''): Promise<void> {
  await reviveTabs(setting.tabs, setting.launch);
  const room = `bench-pbft-${name}-${Date.now()}`;
  await openAgentRoom(setting.tabs, setting.baseUrl, room, query);
  await waitPbftFormed(
    setting.tabs.map((tab) => tab.page),
    REPLICAS,
    FORM_TIMEOUT_MS,
  );
}

async function latencyRows(setting: Setting): Promise<BenchResult[]> {
  await freshRoom(setting, 'latency');
  const load = loadText();
  const result = await measurePbftLatency(
    setting.tabs.map((tab) => tab.page),
    LATENCY,
  );
  const samples = result.samplesMs;
  const warmup = LATENCY.warmupPerTab * Math.min(LATENCY.blocks, setting.tabs.length);
  const { oneWayMs, p50Delays } = latencyInOneWayDelays(result);
  const conditions =
    `${setting.conditions}; sequential demo.increment proposals, each awaited, from one tab at ` +
    `a time, rotated over the four tabs in ${LATENCY.blocks} blocks of ${LATENCY.perBlock}, ` +
    `${warmup} warm-up proposals (${LATENCY.warmupPerTab} per tab) not counted; ` +
    `${samples.length} samples; default batching (up to 64 requests per batch, so one per ` +
    `batch when sequential); timed on the proposing page's clock, propose to resolve (a ` +
    `quorum committed it and this agent executed it); at the primary's tab p50 ` +
    `${round(percentile(result.primarySamplesMs, 50), 1)} ms (${result.primarySamplesMs.length}), ` +
    `at a backup's tab p50 ${round(percentile(result.backupSamplesMs, 50), 1)} ms ` +
    `(${result.backupSamplesMs.length}); ${failureText(result.failures, 'proposals', true)}; wall ` +
    `${round(result.wallMs / 1000, 1)} s, ${load}`;
  const rtt = result.linkRttMs;
  return [
    rowOf(LATENCY_ROWS.p50, percentile(samples, 50), conditions),
    rowOf(
      LATENCY_ROWS.p99,
      percentile(samples, 99),
      `the same ${samples.length} samples as the p50 row (conditions there)`,
    ),
    rowOf(
      LATENCY_ROWS.oneWay,
      oneWayMs,
      `${setting.conditions}; the agent's own link pings (default 1 s interval, app-level ` +
        `ping/pong over the data channel) on all 12 link directions of the latency room, ` +
        `through its formation and the latency run: ${rtt.length} round trips, p50 ` +
        `${round(percentile(rtt, 50), 2)} ms, p99 ${round(percentile(rtt, 99), 2)} ms`,
    ),
    rowOf(
      LATENCY_ROWS.delays,
      p50Delays,
      `commit latency p50 / one-way delay p50 of the same run (rows above); a client beside a ` +
        `replica saves the hop to itself but still waits for a second, remote reply`,
    ),
  ];
}

async function throughputRow(
  setting: Setting,
  spec: RowSpec,
  batch: number | null,
): Promise<BenchResult[]> {
  await freshRoom(
    setting,
    batch === null ? 'batched' : 'unbatched',
    batch === null ? '' : `&pbftBatch=${batch}`,
  );
  const load = loadText();
  const result = await measureThroughput(
    setting.tabs.map((tab) => tab.page),
    THROUGHPUT,
  );
  const cap = CLIENT_RATE_PER_SECOND * setting.tabs.length;
  const batching =
    batch === null
      ? 'default batching (up to 64 requests / 48 KiB per batch)'
      : `batching off (?pbftBatch=${batch}: maxBatchRequests ${batch})`;
  const conditions =
    `${setting.conditions}; ${batching}, 4 batches in flight at the primary; every tab keeps ` +
    `${THROUGHPUT.concurrency} demo.increment proposals outstanding (the client's cap per ` +
    `agent), ${THROUGHPUT.warmupMs / 1000} s warm-up, then the proposals resolved (committed ` +
    `and executed) in ${THROUGHPUT.measureMs / 1000} s counted per tab and summed: ` +
    `${result.committed} (${result.perTab.join(' + ')}); per-tab median propose-to-resolve ` +
    `${result.tabLatencyP50Ms.map((ms) => round(ms, 0)).join(' / ')} ms; ` +
    `${failureText(result.failures, 'proposals', true)}; the replicas admit ${CLIENT_RATE_PER_SECOND} requests/s ` +
    `per client (burst 256): four clients x ${CLIENT_RATE_PER_SECOND}/s = ${cap}/s at most, ` +
    `this run at ${Math.round((100 * result.perSecond) / cap)} % of that cap; ${load}`;
  return [rowOf(spec, result.perSecond, conditions)];
}

async function viewChangeRows(setting: Setting): Promise<BenchResult[]> {
  process.stderr.write(`pbft-browser: up to ${VIEW_CHANGE.trials} primary kills `);
  const load = loadText();
  const result = await measurePbftViewChange(setting.tabs, {
    baseUrl: setting.baseUrl,
    launch: setting.launch,
    trials: VIEW_CHANGE.trials,
    seed: VIEW_CHANGE.seed,
    formTimeoutMs: FORM_TIMEOUT_MS,
    commitTimeoutMs: 15_000,
    budgetMs: VIEW_CHANGE.budgetMs,
    progress: (text) => process.stderr.write(text),
  });
  process.stderr.write('\n');
  const gaps = result.gapsMs;
  const p99 = percentile(gaps, 99);
  const views = [...new Set(result.newViews)].sort((a, b) => a - b);
  const conditions =
    `${setting.conditions}; a fresh room per trial; a backup's tab (neither the victim nor the ` +
    `next view's primary) proposes demo.increment after demo.increment, each awaited; after 5 ` +
    `commits and a seeded pause U[0, 1 s) (seed ${VIEW_CHANGE.seed}) the primary's browser ` +
    `gets SIGKILL to its whole process group (launchServer + kill: no pagehide, no bye, no ` +
    `channel close); the time ends at the first commit that tab sees in a later view, on its ` +
    `clock (the kill mapped onto it, bracket <= ${round(result.maxClockBracketMs, 1)} ms); ` +
    `${gaps.length} of ${result.trials} trials measured, ${result.missed} without such a ` +
    `commit within 15 s, ${result.unformed} not run to a kill` +
    (result.unformed > 0 ? ` (${[...new Set(result.unformedReasons)].join('; ')})` : '') +
    `; views of those ` +
    `commits: ${views.join(', ')}; p50 ${round(percentile(gaps, 50), 0)} ms, max ` +
    `${round(percentile(gaps, 100), 0)} ms; formation p50 ` +
    `${round(percentile(result.formMs, 50) / 1000, 2)} s; ${failureText(result.failures, 'proposals', true)}; wall ` +
    `${Math.round(result.wallMs / 1000)} s, ${load}` +
    // Nearest rank: below 100 samples the p99 is the largest.
    (gaps.length < 100 ? `; with ${gaps.length} trials the p99 is the largest of them` : '');
  const met = p99 < 2000 && result.missed === 0 && gaps.length >= 10;
  return [
    { ...rowOf(VIEW_CHANGE_ROWS.p99, p99, conditions), met },
    rowOf(
      VIEW_CHANGE_ROWS.p50,
      percentile(gaps, 50),
      `the same ${gaps.length} trials as the p99 row (conditions there)`,
    ),
  ];
}

export async function runBrowserPbftBench(): Promise<BenchResult[]> {
  return withAgentTabs(REPLICAS, ALL_ROWS, async (browser) => {
    const { machine } = browser;
    const setting: Setting = {
      ...browser,
      conditions:
        `four agents (tabs), each in a headless Chromium ${browser.browserVersion} ` +
        `instance of its own, on this machine (${machine.cpuModel}, ${machine.cores} cores), ` +
        `loopback, host ICE candidates only; pages opened with ?ui=0: the agent without its ` +
        `dashboard; n = 4, f = 1, quorum 3; Ed25519 through WebCrypto, replica records in ` +
        `IndexedDB; the agent's pBFT defaults (request timeout 1 s)`,
    };
    const guard = (
      specs: readonly RowSpec[],
      label: string,
      measure: () => Promise<BenchResult[]>,
    ) => guarded('pbft-browser', specs, label, measure);
    return [
      ...(await guard(Object.values(LATENCY_ROWS), 'commit latency', () => latencyRows(setting))),
      ...(await guard([UNBATCHED_ROW], 'throughput unbatched', () =>
        throughputRow(setting, UNBATCHED_ROW, 1),
      )),
      ...(await guard([BATCHED_ROW], 'throughput batched', () =>
        throughputRow(setting, BATCHED_ROW, null),
      )),
      ...(await guard(Object.values(VIEW_CHANGE_ROWS), 'view change', () =>
        viewChangeRows(setting),
      )),
    ];
  });
}
