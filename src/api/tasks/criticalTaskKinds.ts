import { isAgentId, type AgentId } from '../../core/base/ids';
import { JOB_ID_PATTERN, MAX_RESULTS_PER_OP } from '../../core/tasks/taskTable';
import type { FlagRecord } from '../../core/tasks/verdict';
import type { CriticalKind } from '../critical/criticalKind';

export type { FlagRecord };

export const TASK_ACCEPT_KIND = 'tasks.accept';
export const TASK_FLAG_KIND = 'tasks.flag';
export const TASK_CLOSE_KIND = 'tasks.close';
export const CRITICAL_TASKS_STATE = 'tasks';
/** Tasks of one critical job at most (each accepted digest is kept in pBFT's state). */
export const MAX_CRITICAL_TASKS = 256;
/** Critical jobs whose acceptances the state keeps; past it the oldest is dropped. */
export const CRITICAL_JOBS_KEPT = 16;
/** Flags the state keeps, newest last. */
export const FLAGS_KEPT = 64;
/** Agents named as agreeing on one result at most. */
const MAX_AGREEING = 16;
const DIGEST = /^[0-9a-f]{64}$/;

/** One accepted result: [task, digest, the agents that reported it]. */
export type AcceptedEntry = [number, string, AgentId[]];

interface JobAcceptances {
  submitter: AgentId;
  /** Task index (as text) to its accepted digest. */
  digests: Record<string, string>;
}

interface CriticalTasksState {
  jobs?: Record<string, JobAcceptances>;
  /** Job ids in the order their first acceptance committed. */
  order?: string[];
  flags?: FlagRecord[];
}

/**
 * The pBFT kinds of critical jobs (core/tasks/README.md, "Critical jobs"): `tasks.accept`
 * commits a task's result once f+1 agents agreed on it (a second acceptance of a task is
 * refused and names the first), `tasks.flag` records an agent whose report disagreed, checked
 * against the committed acceptance, and `tasks.close` drops a finished job's acceptances. Only
 * the agent that first accepted for a job may accept, flag or close for it.
 */
export function criticalTaskKinds(): Record<string, CriticalKind> {
  const common = { stateName: CRITICAL_TASKS_STATE, maxStateChars: 512 * 1024 };
  return {
    [TASK_ACCEPT_KIND]: {
      ...common,
      validate: (action) => jobIdRefusal(action.jobId) ?? acceptRefusal(action.results),
      apply: (action, { proposer, state }) => {
        const s = state as CriticalTasksState;
        const jobs = (s.jobs ??= {});
        const order = (s.order ??= []);
        const jobId = action.jobId as string;
        let job = jobs[jobId];
        if (job === undefined) {
          job = { submitter: proposer, digests: {} };
          jobs[jobId] = job;
          order.push(jobId);
          while (order.length > CRITICAL_JOBS_KEPT) delete jobs[order.shift() as string];
        } else if (job.submitter !== proposer) {
          throw new Error(`job ${jobId} is accepted by its submitter only`);
        }
        const accepted: number[] = [];
        const refused: [number, string][] = [];
        for (const [task, digest] of action.results as AcceptedEntry[]) {
          const first = job.digests[String(task)];
          if (first === undefined) {
            job.digests[String(task)] = digest;
            accepted.push(task);
          } else refused.push([task, first]);
        }
        return { accepted, refused };
      },
    },
    [TASK_FLAG_KIND]: {
      ...common,
      validate: (action) =>
        jobIdRefusal(action.jobId) ??
        (isAgentId(action.agent) ? null : 'agent must be an agent id') ??
        (isTask(action.task) ? null : 'task must be a task index') ??
        (typeof action.digest === 'string' && DIGEST.test(action.digest)
          ? null
          : 'digest must be a SHA-256 digest in hex') ??
        agentsRefusal(action.agreeing) ??
        undefined,
      apply: (action, { proposer, seq, state }) => {
        const s = state as CriticalTasksState;
        const jobId = action.jobId as string;
        const job = s.jobs?.[jobId];
        if (job === undefined || job.submitter !== proposer)
          throw new Error(`no job ${jobId} of this submitter is open`);
        const accepted = job.digests[String(action.task)];
        if (accepted === undefined) throw new Error(`task ${String(action.task)} is not accepted`);
        if (accepted === action.digest) throw new Error('the digest flagged is the accepted one');
        const flags = (s.flags ??= []);
        const agent = action.agent as AgentId;
        const known = flags.find(
          (f) => f.agent === agent && f.jobId === jobId && f.task === action.task,
        );
        if (known !== undefined) return { flagged: false };
        flags.push({
          agent,
          jobId,
          task: action.task as number,
          digest: action.digest as string,
          accepted,
          agreeing: action.agreeing as AgentId[],
          by: proposer,
          seq,
        });
        if (flags.length > FLAGS_KEPT) flags.splice(0, flags.length - FLAGS_KEPT);
        return { flagged: true };
      },
    },
    [TASK_CLOSE_KIND]: {
      ...common,
      validate: (action) => jobIdRefusal(action.jobId) ?? undefined,
      apply: (action, { proposer, state }) => {
        const s = state as CriticalTasksState;
        const jobId = action.jobId as string;
        const job = s.jobs?.[jobId];
        if (job === undefined || job.submitter !== proposer) return { closed: false };
        delete s.jobs?.[jobId];
        s.order = (s.order ?? []).filter((id) => id !== jobId);
        return { closed: true };
      },
    },
  };
}

/** The flags in a `tasks` state (as the pBFT app keeps it). */
export function flagsIn(state: Record<string, unknown>): readonly FlagRecord[] {
  return (state as CriticalTasksState).flags ?? [];
}

function jobIdRefusal(jobId: unknown): string | null {
  return typeof jobId === 'string' && JOB_ID_PATTERN.test(jobId) ? null : 'jobId is not a job id';
}

function isTask(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < MAX_CRITICAL_TASKS
  );
}

function agentsRefusal(agents: unknown): string | null {
  if (
    !Array.isArray(agents) ||
    agents.length === 0 ||
    agents.length > MAX_AGREEING ||
    !agents.every(isAgentId) ||
    new Set(agents).size !== agents.length
  )
    return `agents must list 1 to ${MAX_AGREEING} distinct agent ids`;
  return null;
}

function acceptRefusal(results: unknown): string | undefined {
  if (!Array.isArray(results) || results.length === 0 || results.length > MAX_RESULTS_PER_OP)
    return `results must list 1 to ${MAX_RESULTS_PER_OP} entries`;
  const seen = new Set<number>();
  for (const entry of results) {
    if (!Array.isArray(entry) || entry.length !== 3) return 'a result is [task, digest, agents]';
    const [task, digest, agents] = entry as unknown[];
    if (!isTask(task) || seen.has(task)) return 'a result names a bad or repeated task';
    seen.add(task);
    if (typeof digest !== 'string' || !DIGEST.test(digest))
      return 'a digest must be a SHA-256 digest in hex';
    const problem = agentsRefusal(agents);
    if (problem !== null) return problem;
  }
  return undefined;
}
