import type { LaunchOptions } from '@playwright/test';
import { performance } from 'node:perf_hooks';
import { clockOffset } from './browserMesh';
import { openAgentRoom, reviveTabs, type AgentTab } from './browserAgentTabs';
import {
  startRecording,
  stopRecording,
  waitCommitAbove,
  waitCommits,
} from './browserCommitRecorder';
import { waitPbftFormed } from './browserPbftMesh';
import { runTrials, type TrialOutcome, type TrialTally } from './trials';

/**
 * View change between browser tabs: a fresh room per trial, four replicas, one surviving tab
 * proposing without pause; then the primary's browser is killed (SIGKILL to its process group,
 * so no pagehide, no bye, no channel close) and the bench times, on the proposing page's clock,
 * from the kill to the first proposal that tab sees committed in a later view. Commits of the
 * old view that finish after the kill (prepared before it) do not count: they need no new
 * primary. The kill instant is mapped onto the page's clock by a bracketed read.
 */

export interface ViewChangeOptions {
  baseUrl: string;
  launch: LaunchOptions;
  trials: number;
  seed: number;
  /** A room whose replica set has not formed by then is skipped (no kill). */
  formTimeoutMs: number;
  /** A kill not followed by a commit in a later view by then counts as missed. */
  commitTimeoutMs: number;
  /** No new trial starts after this long (the bench's time budget); the count says how many ran. */
  budgetMs: number;
  progress?: (text: string) => void;
}

export interface ViewChangeResult extends Omit<TrialTally<unknown>, 'measured'> {
  /** Per trial: kill to the first commit in a later view at the proposing tab. */
  gapsMs: number[];
  /** The view of that commit, per trial (1 is one view change, more is a failed one first). */
  newViews: number[];
  /** Failed proposals at the proposing tab over all trials, by error code. */
  failures: Record<string, number>;
}

/** One trial in a fresh room: form, propose, kill the primary, wait for a later view's commit. */
async function runTrial(
  tabs: AgentTab[],
  options: ViewChangeOptions,
  room: string,
  phaseMs: number,
  failures: Record<string, number>,
): Promise<TrialOutcome<{ gapMs: number; view: number }>> {
  await reviveTabs(tabs, options.launch);
  const ids = await openAgentRoom(tabs, options.baseUrl, room);
  const opened = performance.now();
  const statuses = await waitPbftFormed(
    tabs.map((tab) => tab.page),
    tabs.length,
    options.formTimeoutMs,
  ).catch(() => null);
  const status = statuses?.[0];
  const victim = ids.indexOf(status?.primary ?? '');
  if (status === undefined || victim < 0) return { kind: 'unformed', reason: 'no replica set' };
  const formMs = performance.now() - opened;
  // A plain backup proposes: neither the victim nor the next view's primary.
  const nextPrimary = status.replicas[(status.view + 1) % status.n];
  const proposer = (
    tabs[ids.findIndex((id) => id !== status.primary && id !== nextPrimary)] as AgentTab
  ).page;
  await startRecording(proposer, 'critical.propose');
  try {
    const warm = await waitCommits(proposer, 5, 10_000);
    if (!warm) return { kind: 'unformed', reason: 'no commits before the kill' };
    // A seeded phase, so the kill does not always fall at the same point of the agents' timers.
    await new Promise((resolve) => setTimeout(resolve, phaseMs));
    const offset = await clockOffset(proposer);
    const killedAt = performance.timeOrigin + performance.now();
    await (tabs[victim] as AgentTab).server.kill();
    const killedAtPageMs = killedAt + offset.offsetMs;
    const commit = await waitCommitAbove(
      proposer,
      status.view,
      killedAtPageMs,
      options.commitTimeoutMs,
    );
    if (commit === null) return { kind: 'missed', formMs, bracketMs: offset.bracketMs };
    return {
      kind: 'measured',
      measured: { gapMs: commit.atMs - killedAtPageMs, view: commit.epoch },
      formMs,
      bracketMs: offset.bracketMs,
    };
  } finally {
    for (const [code, count] of Object.entries(await stopRecording(proposer))) {
      failures[code] = (failures[code] ?? 0) + count;
    }
  }
}

export async function measurePbftViewChange(
  tabs: AgentTab[],
  options: ViewChangeOptions,
): Promise<ViewChangeResult> {
  const failures: Record<string, number> = {};
  const tally = await runTrials({ ...options, maxPhaseMs: 1000 }, (trial, phaseMs) =>
    runTrial(
      tabs,
      options,
      `bench-pbft-vc-${options.seed}-${trial}-${Date.now()}`,
      phaseMs,
      failures,
    ),
  );
  return {
    ...tally,
    gapsMs: tally.measured.map((m) => m.gapMs),
    newViews: tally.measured.map((m) => m.view),
    failures,
  };
}
