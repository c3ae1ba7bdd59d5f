import { DEFAULT_RAFT_CONFIG } from '../core/raft/config';
import { linkRoundTrips, openAgentRoom, reviveTabs, type AgentTab } from './browserAgentTabs';
import { failureText, guarded, loadText, withAgentTabs, type BrowserSetting } from './browserGroup';
import { measureRaftFailover, type FailoverMode } from './browserRaftFailover';
import { measureSequential, type SequentialResult } from './browserRaftLoad';
import { measureThroughput } from './browserThroughput';
import { waitRaftFormed } from './browserRaftMesh';
import { percentile, round } from './percentiles';
import type { BenchResult } from './report';
import { rowOf, type RowSpec } from './rowSpec';

/**
 * Group `raft-browser`: the Raft ledger between five agents in five headless Chromium instances
 * on this machine, through the public API (`window.mesh.ledger`): commit latency against the
 * links' own round trip, throughput, linearizable reads, and failover after the leader's tab
 * closes or its browser is killed. A measurement that fails yields its rows as NaN with the
 * reason; the others stand.
 */

const VOTERS = 5;
const SEQUENTIAL = { warmup: 10, count: 300, budgetMs: 30_000 };
const THROUGHPUT = {
  operation: 'ledger.append',
  concurrency: 64,
  warmupMs: 1000,
  measureMs: 5000,
} as const;
const FAILOVER = { trials: 12, seed: 1, budgetMs: 150_000 };
const FORM_TIMEOUT_MS = 30_000;

const LOAD_ROWS = {
  rtt: { name: 'Raft link round trip, five browser tabs, ping p50', unit: 'ms' },
  leaderP50: {
    name: 'Raft commit latency at the leader, five browser tabs, append to resolve, p50',
    unit: 'ms',
    target: '< 10 ms and < 1.5 × the link round trip p50',
  },
  leaderP99: {
    name: 'Raft commit latency at the leader, five browser tabs, append to resolve, p99',
    unit: 'ms',
  },
  followerP50: {
    name: 'Raft commit latency at a follower (forwarded), five browser tabs, p50',
    unit: 'ms',
  },
  getFollower: {
    name: 'Raft linearizable get (ReadIndex) at a follower, five browser tabs, p50',
    unit: 'ms',
    target: '< 2 × the link round trip p50',
  },
  getLeader: {
    name: 'Raft linearizable get (ReadIndex) at the leader, five browser tabs, p50',
    unit: 'ms',
    target: '< 2 × the link round trip p50',
  },
} satisfies Record<string, RowSpec>;

const THROUGHPUT_ROW: RowSpec = {
  name: 'Raft throughput, five browser tabs, appends outstanding from every tab',
  unit: 'entries/s',
  target: '≥ 2000/s',
  meets: (v) => v >= 2000,
};

function failoverRows(mode: FailoverMode) {
  const what = mode === 'close' ? "leader's tab closed" : "leader's browser killed";
  return {
    p50: {
      name: `Raft failover, five browser tabs, ${what} to the next commit, p50`,
      unit: 'ms',
      target: '< 500 ms',
      meets: (v: number) => v < 500,
    },
    p99: {
      name: `Raft failover, five browser tabs, ${what} to the next commit, p99`,
      unit: 'ms',
      target: '< 1.5 s',
      meets: (v: number) => v < 1500,
    },
  } satisfies Record<string, RowSpec>;
}

const ALL_ROWS: RowSpec[] = [
  ...Object.values(LOAD_ROWS),
  THROUGHPUT_ROW,
  ...Object.values(failoverRows('close')),
  ...Object.values(failoverRows('crash')),
];

interface Setting extends BrowserSetting {
  conditions: string;
}

/** A fresh room with a group of five voters and a leader; the leader's index in `tabs`. */
async function freshRoom(setting: Setting, name: string): Promise<number> {
  await reviveTabs(setting.tabs, setting.launch);
  await openAgentRoom(setting.tabs, setting.baseUrl, `bench-raft-${name}-${Date.now()}`);
  return (await waitRaftFormed(setting.tabs, VOTERS, FORM_TIMEOUT_MS)).leader;
}

function sequentialText(result: SequentialResult, where: 'leader' | 'follower'): string {
  const moved = result.leader !== (where === 'leader');
  return (
    `${result.samplesMs.length} sequential operations at the ${where}'s tab, each awaited, ` +
    `after ${SEQUENTIAL.warmup} untimed; ${failureText(result.failures, 'operations')}` +
    (moved
      ? `; leadership moved during the run (the tab ${result.leader ? 'led' : 'did not lead'} at its end)`
      : '')
  );
}

async function loadRows(setting: Setting): Promise<BenchResult[]> {
  const leaderIndex = await freshRoom(setting, 'load');
  const load = loadText();
  const leader = (setting.tabs[leaderIndex] as AgentTab).page;
  const follower = (setting.tabs[(leaderIndex + 1) % VOTERS] as AgentTab).page;
  const atLeader = await measureSequential(leader, { operation: 'append', ...SEQUENTIAL });
  const atFollower = await measureSequential(follower, { operation: 'append', ...SEQUENTIAL });
  const getsLeader = await measureSequential(leader, { operation: 'get', ...SEQUENTIAL });
  const getsFollower = await measureSequential(follower, { operation: 'get', ...SEQUENTIAL });
  // The pings ran at the agent's default interval all through the run, on the same links.
  const rtt: number[] = [];
  for (const tab of setting.tabs) rtt.push(...(await linkRoundTrips(tab.page)));
  const rttP50 = percentile(rtt, 50);
  const leaderP50 = percentile(atLeader.samplesMs, 50);
  const getFollowerP50 = percentile(getsFollower.samplesMs, 50);
  const getLeaderP50 = percentile(getsLeader.samplesMs, 50);
  const ratio = (v: number) => `${round(v / rttP50, 2)} × the round trip p50`;
  const base = `${setting.conditions}; ${load}`;
  return [
    rowOf(
      LOAD_ROWS.rtt,
      rttP50,
      `${base}; the agent's own link pings (1 s interval, app-level ping/pong over the data ` +
        `channel) on all 20 link directions of the room, through the whole run: ${rtt.length} ` +
        `round trips, p99 ${round(percentile(rtt, 99), 2)} ms`,
    ),
    {
      ...rowOf(
        LOAD_ROWS.leaderP50,
        leaderP50,
        `${base}; ${sequentialText(atLeader, 'leader')}; timed on the page's clock, ` +
          `append to resolve (a majority stored it in IndexedDB and this agent applied it); ` +
          ratio(leaderP50),
      ),
      met: leaderP50 < 10 && leaderP50 < 1.5 * rttP50,
    },
    rowOf(LOAD_ROWS.leaderP99, percentile(atLeader.samplesMs, 99), 'the samples of the p50 row'),
    rowOf(
      LOAD_ROWS.followerP50,
      percentile(atFollower.samplesMs, 50),
      `${base}; ${sequentialText(atFollower, 'follower')}: each forwarded to the ` +
        `leader and back`,
    ),
    {
      ...rowOf(
        LOAD_ROWS.getFollower,
        getFollowerP50,
        `${base}; ${sequentialText(getsFollower, 'follower')}: the read index asked ` +
          `of the leader, which confirms its place with a heartbeat round; ${ratio(getFollowerP50)}`,
      ),
      met: getFollowerP50 < 2 * rttP50,
    },
    {
      ...rowOf(
        LOAD_ROWS.getLeader,
        getLeaderP50,
        `${base}; ${sequentialText(getsLeader, 'leader')}: one heartbeat round ` +
          `confirms its place; ${ratio(getLeaderP50)}`,
      ),
      met: getLeaderP50 < 2 * rttP50,
    },
  ];
}

async function throughputRow(setting: Setting): Promise<BenchResult[]> {
  await freshRoom(setting, 'throughput');
  const load = loadText();
  const result = await measureThroughput(
    setting.tabs.map((tab) => tab.page),
    THROUGHPUT,
  );
  const { maxEntriesPerAppend, maxInflightAppends } = DEFAULT_RAFT_CONFIG;
  const conditions =
    `${setting.conditions}; every tab keeps ${THROUGHPUT.concurrency} appends outstanding ` +
    `(followers forward theirs to the leader), ${THROUGHPUT.warmupMs / 1000} s warm-up, then ` +
    `the appends resolved in ${THROUGHPUT.measureMs / 1000} s counted per tab and summed: ` +
    `${result.committed} (${result.perTab.join(' + ')}); per-tab median append-to-resolve ` +
    `${result.tabLatencyP50Ms.map((ms) => round(ms, 0)).join(' / ')} ms; batching up to ` +
    `${maxEntriesPerAppend} entries per append, ${maxInflightAppends} appends in flight per ` +
    `follower; ${failureText(result.failures, 'operations')}; ${load}`;
  return [rowOf(THROUGHPUT_ROW, result.perSecond, conditions)];
}

async function failoverRowsOf(setting: Setting, mode: FailoverMode): Promise<BenchResult[]> {
  const rows = failoverRows(mode);
  process.stderr.write(
    `raft-browser: up to ${FAILOVER.trials} leader ${mode === 'crash' ? 'crashes' : 'closes'} `,
  );
  const load = loadText();
  const result = await measureRaftFailover(setting.tabs, {
    baseUrl: setting.baseUrl,
    launch: setting.launch,
    mode,
    trials: FAILOVER.trials,
    seed: FAILOVER.seed,
    voters: VOTERS,
    formTimeoutMs: FORM_TIMEOUT_MS,
    commitTimeoutMs: 15_000,
    budgetMs: FAILOVER.budgetMs,
    progress: (text) => process.stderr.write(text),
  });
  process.stderr.write('\n');
  const gaps = result.gapsMs;
  const p99 = percentile(gaps, 99);
  const how =
    mode === 'close'
      ? "the leader's page is closed (pagehide: the agent leaves the mesh)"
      : "the leader's browser gets SIGKILL to its whole process group (no pagehide, no bye)";
  const { electionTimeoutMinMs, heartbeatMs } = DEFAULT_RAFT_CONFIG;
  const conditions =
    `${setting.conditions}; a fresh room per trial; a follower's tab appends entry after ` +
    `entry, each awaited; after 5 commits and a seeded pause U[0, 500 ms) (seed ` +
    `${FAILOVER.seed}) ${how}; the time ends at the first append that tab sees committed in a ` +
    `later term, on its clock (the failure mapped onto it, bracket <= ` +
    `${round(result.maxClockBracketMs, 1)} ms); election timeout U[${electionTimeoutMinMs}, ` +
    `${2 * electionTimeoutMinMs}) ms, heartbeat ${heartbeatMs} ms, pre-vote and check-quorum on; ` +
    `${gaps.length} of ${result.trials} trials measured, ${result.missed} without such a commit ` +
    `within 15 s, ${result.unformed} not run to the failure` +
    (result.unformed > 0 ? ` (${[...new Set(result.unformedReasons)].join('; ')})` : '') +
    `; p50 ${round(percentile(gaps, 50), 0)} ms, max ${round(percentile(gaps, 100), 0)} ms; ` +
    `formation p50 ${round(percentile(result.formMs, 50) / 1000, 2)} s; ` +
    `${failureText(result.failures, 'operations')}; wall ${Math.round(result.wallMs / 1000)} s, ${load}` +
    (gaps.length < 100 ? `; with ${gaps.length} trials the p99 is the largest of them` : '');
  return [
    {
      ...rowOf(rows.p99, p99, conditions),
      met: p99 < 1500 && result.missed === 0 && gaps.length >= 8,
    },
    rowOf(rows.p50, percentile(gaps, 50), `the same ${gaps.length} trials as the p99 row`),
  ];
}

export async function runBrowserRaftBench(): Promise<BenchResult[]> {
  return withAgentTabs(VOTERS, ALL_ROWS, async (browser) => {
    const { machine } = browser;
    const setting: Setting = {
      ...browser,
      conditions:
        `five agents (tabs), each in a headless Chromium ${browser.browserVersion} ` +
        `instance of its own, on this machine (${machine.cpuModel}, ${machine.cores} cores), ` +
        `loopback, host ICE candidates only; pages opened with ?ui=0: the agent without its ` +
        `dashboard; five voters, majority 3; Raft records in IndexedDB`,
    };
    const guard = (
      specs: readonly RowSpec[],
      label: string,
      measure: () => Promise<BenchResult[]>,
    ) => guarded('raft-browser', specs, label, measure);
    return [
      ...(await guard(Object.values(LOAD_ROWS), 'latency and reads', () => loadRows(setting))),
      ...(await guard([THROUGHPUT_ROW], 'throughput', () => throughputRow(setting))),
      ...(await guard(Object.values(failoverRows('close')), 'failover on close', () =>
        failoverRowsOf(setting, 'close'),
      )),
      ...(await guard(Object.values(failoverRows('crash')), 'failover on crash', () =>
        failoverRowsOf(setting, 'crash'),
      )),
    ];
  });
}
