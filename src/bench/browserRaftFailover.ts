import type { LaunchOptions, Page } from '@playwright/test';
import { performance } from 'node:perf_hooks';
import { openAgentRoom, reviveTabs, type AgentTab, type AgentWindow } from './browserAgentTabs';
import { clockOffset } from './browserMesh';
import { waitRaftFormed } from './browserRaftMesh';
import { runTrials, type TrialOutcome, type TrialTally } from './trials';

/**
 * Raft failover between browser tabs: a fresh room per trial, five voters, one follower tab
 * appending without pause; then the leader's tab is closed (pagehide: it leaves the mesh) or
 * its browser killed (SIGKILL to its process group: no pagehide, no bye, no channel close), and
 * the bench times, on the appending page's clock, from that instant to the first append the tab
 * sees committed in a later term. The instant is mapped onto the page's clock by a bracketed read.
 */

export type FailoverMode = 'close' | 'crash';

export interface FailoverOptions {
  baseUrl: string;
  launch: LaunchOptions;
  mode: FailoverMode;
  trials: number;
  seed: number;
  voters: number;
  /** A room whose group has not formed by then is skipped. */
  formTimeoutMs: number;
  /** A failure not followed by a commit in a later term by then counts as missed. */
  commitTimeoutMs: number;
  /** No new trial starts after this long; the count says how many ran. */
  budgetMs: number;
  progress?: (text: string) => void;
}

export interface FailoverResult extends Omit<TrialTally<unknown>, 'measured'> {
  /** Per trial: the failure to the first commit in a later term at the appending tab. */
  gapsMs: number[];
  /** Failed appends at the appending tab over all trials, by error code. */
  failures: Record<string, number>;
}

interface AppenderRecord {
  commits: { atMs: number; term: number }[];
  failures: Record<string, number>;
  stop: boolean;
}

type BenchWindow = AgentWindow & { raftFailoverBench?: AppenderRecord };

/** Runs in the page: appends one entry after another until told to stop, recording each. */
function startAppending(): void {
  const mesh = (window as BenchWindow).mesh;
  if (mesh === undefined) throw new Error('window.mesh is not there');
  const record: AppenderRecord = { commits: [], failures: {}, stop: false };
  (window as BenchWindow).raftFailoverBench = record;
  void (async () => {
    while (!record.stop) {
      try {
        const { term } = await mesh.ledger.append({ bench: 'failover' });
        record.commits.push({ atMs: performance.timeOrigin + performance.now(), term });
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? 'error');
        record.failures[code] = (record.failures[code] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  })();
}

async function waitCommits(page: Page, count: number, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    (least) => ((window as BenchWindow).raftFailoverBench?.commits.length ?? 0) >= least,
    count,
    { polling: 20, timeout: timeoutMs },
  );
}

/** The page time of the first commit in a term above `term` at or after `afterMs`. */
async function waitCommitAbove(
  page: Page,
  term: number,
  afterMs: number,
  timeoutMs: number,
): Promise<number> {
  const handle = await page.waitForFunction(
    ([above, after]) =>
      (window as BenchWindow).raftFailoverBench?.commits.find(
        (commit) => commit.term > above && commit.atMs >= after,
      )?.atMs ?? false,
    [term, afterMs] as const,
    // The commit's time is recorded by the page, so the poll's period costs no precision.
    { polling: 50, timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as number;
}

async function stopAppending(page: Page): Promise<Record<string, number>> {
  return page
    .evaluate(() => {
      const record = (window as BenchWindow).raftFailoverBench;
      if (record === undefined) return {};
      record.stop = true;
      return record.failures;
    })
    .catch(() => ({}));
}

async function runTrial(
  tabs: AgentTab[],
  options: FailoverOptions,
  room: string,
  phaseMs: number,
  failures: Record<string, number>,
): Promise<TrialOutcome<number>> {
  await reviveTabs(tabs, options.launch);
  await openAgentRoom(tabs, options.baseUrl, room);
  const opened = performance.now();
  const formed = await waitRaftFormed(tabs, options.voters, options.formTimeoutMs).catch(
    () => null,
  );
  if (formed === null) return { kind: 'unformed', reason: 'no group of five with a leader' };
  const formMs = performance.now() - opened;
  const victim = tabs[formed.leader] as AgentTab;
  const appender = (tabs[(formed.leader + 1) % tabs.length] as AgentTab).page;
  await appender.evaluate(startAppending);
  try {
    const warm = await waitCommits(appender, 5, 10_000).then(
      () => true,
      () => false,
    );
    if (!warm) return { kind: 'unformed', reason: 'no commits before the failure' };
    // A seeded phase, so the failure does not always fall at the same point of the timers.
    await new Promise((resolve) => setTimeout(resolve, phaseMs));
    const offset = await clockOffset(appender);
    const failedAt = performance.timeOrigin + performance.now();
    if (options.mode === 'crash') await victim.server.kill();
    else await victim.page.close();
    const failedAtPageMs = failedAt + offset.offsetMs;
    const committedAt = await waitCommitAbove(
      appender,
      formed.term,
      failedAtPageMs,
      options.commitTimeoutMs,
    ).catch(() => null);
    if (committedAt === null) return { kind: 'missed', formMs, bracketMs: offset.bracketMs };
    return {
      kind: 'measured',
      measured: committedAt - failedAtPageMs,
      formMs,
      bracketMs: offset.bracketMs,
    };
  } finally {
    for (const [code, count] of Object.entries(await stopAppending(appender)))
      failures[code] = (failures[code] ?? 0) + count;
  }
}

export async function measureRaftFailover(
  tabs: AgentTab[],
  options: FailoverOptions,
): Promise<FailoverResult> {
  const failures: Record<string, number> = {};
  const tally = await runTrials({ ...options, maxPhaseMs: 500 }, (trial, phaseMs) =>
    runTrial(
      tabs,
      options,
      `bench-raft-${options.mode}-${options.seed}-${trial}-${Date.now()}`,
      phaseMs,
      failures,
    ),
  );
  return { ...tally, gapsMs: tally.measured, failures };
}
