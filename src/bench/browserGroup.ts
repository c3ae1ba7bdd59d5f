import type { LaunchOptions } from '@playwright/test';
import { loadavg } from 'node:os';
import { chromiumLaunchOptions } from '../../e2e/browsers';
import { startServer } from '../../server/startServer';
import { closeAgentTabs, launchAgentTab, launchTabs, type AgentTab } from './browserAgentTabs';
import { machineInfo, type BenchResult, type MachineInfo } from './report';
import { failedRows, reasonOf, type RowSpec } from './rowSpec';

/** What the consensus browser groups (pbft-browser, raft-browser) share: setting up and guarding. */

export interface BrowserSetting {
  baseUrl: string;
  launch: LaunchOptions;
  tabs: AgentTab[];
  machine: MachineInfo;
  browserVersion: string;
}

/** The machine's 1-minute load average now: the Chromium instances on two cores load it. */
export function loadText(): string {
  return `1-min load average ${(loadavg()[0] ?? Number.NaN).toFixed(1)} at its start`;
}

/** "no failed proposals", or "failed proposals (retried): 3 busy, 1 timeout". */
export function failureText(
  failures: Record<string, number>,
  what: string,
  retried = false,
): string {
  const entries = Object.entries(failures);
  if (entries.length === 0) return `no failed ${what}`;
  const list = entries.map(([code, n]) => `${n} ${code}`).join(', ');
  return `failed ${what}${retried ? ' (retried)' : ''}: ${list}`;
}

/** Runs `measure`; on any failure its rows come back as NaN with the reason. */
export async function guarded(
  group: string,
  specs: readonly RowSpec[],
  label: string,
  measure: () => Promise<BenchResult[]>,
): Promise<BenchResult[]> {
  process.stderr.write(`${group}: ${label}\n`);
  try {
    return await measure();
  } catch (error) {
    process.stderr.write(`${group}: ${label} failed: ${reasonOf(error)}\n`);
    return failedRows(specs, reasonOf(error));
  }
}

/**
 * Starts the server and `count` agent tabs, each in a Chromium instance of its own (or all in
 * one), runs `body`
 * and closes them all; when the server, the build or Chromium is missing, every row of `rows`
 * comes back NaN with the reason.
 */
export async function withAgentTabs(
  count: number,
  rows: readonly RowSpec[],
  body: (setting: BrowserSetting) => Promise<BenchResult[]>,
  /** The agents as tabs of one Chromium instance (browserAgentTabs.ts, launchTabs). */
  oneBrowser = false,
): Promise<BenchResult[]> {
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    return failedRows(rows, `the server did not start: ${reasonOf(error)}`);
  }
  const tabs: AgentTab[] = [];
  try {
    if (!server.distFound) {
      return failedRows(rows, 'dist/ is missing: run `vite build` first (npm run bench does)');
    }
    let launch: LaunchOptions;
    try {
      launch = chromiumLaunchOptions();
      if (oneBrowser) tabs.push(...(await launchTabs(launch, count)));
      else for (let i = 0; i < count; i++) tabs.push(await launchAgentTab(launch));
    } catch (error) {
      return failedRows(rows, `Chromium did not start: ${reasonOf(error)}`);
    }
    return await body({
      baseUrl: server.url,
      launch,
      tabs,
      machine: machineInfo(),
      browserVersion: (tabs[0] as AgentTab).browser.version(),
    });
  } finally {
    await closeAgentTabs(tabs);
    await server.close();
  }
}
