import { compareIds, type AgentId } from '../base/ids';

/** One agent's result for one task of a critical job, as the ledger accepted it. */
export interface CopyReport {
  agent: AgentId;
  /** SHA-256 hex of the result's JSON text. */
  digest: string;
}

/** An agent caught reporting a result other than the one f+1 agents agreed on. */
export interface FlagRecord {
  agent: AgentId;
  jobId: string;
  task: number;
  /** What it reported, and what was accepted (both SHA-256 of the result's JSON text). */
  digest: string;
  accepted: string;
  /** Who reported the accepted result. */
  agreeing: AgentId[];
  /** The submitter that proposed the flag, and the pBFT sequence number it committed at. */
  by: AgentId;
  seq: number;
}

export type Verdict =
  /** `quorum` distinct agents reported `digest`; those in `dissenters` reported another. */
  | { kind: 'agreed'; digest: string; agents: AgentId[]; dissenters: CopyReport[] }
  /** No digest has `quorum` agents yet: `more` further copies could settle it at best. */
  | { kind: 'open'; more: number };

/**
 * Whether a critical task's copies agree (core/tasks/README.md, "Critical jobs"). With at most f
 * of the agents faulty, f+1 distinct agents reporting one digest include an honest one, so that
 * digest is the true result: `quorum` is f+1. An agent counts once (its first report).
 * Deterministic: agents come out sorted, and of two digests that both reached the quorum (more
 * than f liars, outside the model) the one with more agents wins, ties to the smaller digest.
 */
export function verdictOf(reports: readonly CopyReport[], quorum: number): Verdict {
  const seen = new Set<AgentId>();
  const byDigest = new Map<string, AgentId[]>();
  const counted: CopyReport[] = [];
  for (const report of reports) {
    if (seen.has(report.agent)) continue;
    seen.add(report.agent);
    counted.push(report);
    const agents = byDigest.get(report.digest) ?? [];
    agents.push(report.agent);
    byDigest.set(report.digest, agents);
  }
  let best: [string, AgentId[]] | null = null;
  for (const entry of byDigest) {
    const [digest, agents] = entry;
    if (
      best === null ||
      agents.length > best[1].length ||
      (agents.length === best[1].length && digest < best[0])
    )
      best = entry;
  }
  const largest = best?.[1].length ?? 0;
  if (best === null || largest < quorum) return { kind: 'open', more: quorum - largest };
  const [digest, agents] = best;
  return {
    kind: 'agreed',
    digest,
    agents: [...agents].sort(compareIds),
    dissenters: counted.filter((r) => r.digest !== digest),
  };
}

/** f, the faulty agents `n` replicas tolerate (n >= 3f + 1). */
export function faultToleranceOf(n: number): number {
  return Math.max(0, Math.floor((n - 1) / 3));
}
