import type { LaunchOptions } from '@playwright/test';
import { performance } from 'node:perf_hooks';
import { openAgentRoom, reviveTabs, type AgentTab } from './browserAgentTabs';
import {
  startRecording,
  stopRecording,
  waitCommitAbove,
  waitCommits,
} from './browserCommitRecorder';
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
  await startRecording(appender, 'ledger.append');
  try {
    const warm = await waitCommits(appender, 5, 10_000);
    if (!warm) return { kind: 'unformed', reason: 'no commits before the failure' };
    // A seeded phase, so the failure does not always fall at the same point of the timers.
    await new Promise((resolve) => setTimeout(resolve, phaseMs));
    const offset = await clockOffset(appender);
    const failedAt = performance.timeOrigin + performance.now();
    if (options.mode === 'crash') await victim.server.kill();
    else await victim.page.close();
    const failedAtPageMs = failedAt + offset.offsetMs;
    const commit = await waitCommitAbove(
      appender,
      formed.term,
      failedAtPageMs,
      options.commitTimeoutMs,
    );
    if (commit === null) return { kind: 'missed', formMs, bracketMs: offset.bracketMs };
    return {
      kind: 'measured',
      measured: commit.atMs - failedAtPageMs,
      formMs,
      bracketMs: offset.bracketMs,
    };
  } finally {
    for (const [code, count] of Object.entries(await stopRecording(appender)))
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
