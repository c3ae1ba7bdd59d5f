import type { AgentId } from '../../core/base/ids';
import type { Millis } from '../../core/base/time';
import type { Clock } from '../../host/ports';
import { MAX_RESULTS_PER_OP } from '../../core/tasks/taskTable';
import type { JobSpec, JobStatus, TaskEvent } from '../../core/tasks/taskTypes';
import { verdictOf, type CopyReport } from '../../core/tasks/verdict';
import { PBFT_MAX_ACTION_BYTES } from '../../core/wire/pbftMessages';
import type { CriticalAction } from '../critical/criticalKind';
import {
  TASK_ACCEPT_KIND,
  TASK_CLOSE_KIND,
  TASK_FLAG_KIND,
  type AcceptedEntry,
  type FlagRecord,
} from './criticalTaskKinds';
import { TaskError, type TaskErrorCode } from './taskError';

/** What critical jobs need of pBFT (`mesh.critical`). */
export interface CriticalPort {
  /** f of the replica set in force, or null while none has formed. */
  faultTolerance(): number | null;
  /** Proposes an action; resolves with what `apply` returned once it committed. */
  propose(action: CriticalAction): Promise<unknown>;
  /** The flags committed so far (on a replica; empty elsewhere). */
  flags(): readonly FlagRecord[];
}

/** What critical jobs need of the agent's task distribution. */
export interface CopyRunner {
  submit(spec: JobSpec): void;
  cancel(jobId: string): void;
  /** A task's accepted result (JSON text) in a job submitted here. */
  resultOf(jobId: string, task: number): string | null;
  digestOf(text: string): string;
}

/** Rounds of copies one critical job runs at most before it fails `task-failed`. */
export const MAX_CRITICAL_ROUNDS = 4;
/** Tries of one pBFT proposal (an acceptance or a flag) before the job fails. */
const MAX_PROPOSAL_TRIES = 3;
/**
 * The pause before a failed proposal's next try, doubled each time: a refusal like `busy` or
 * `no-quorum` says pBFT cannot take it now, and asking again at once would be refused alike.
 */
const RETRY_BASE_MS = 250;
/** Acceptances in flight per job. */
const MAX_ACCEPTS_IN_FLIGHT = 2;
/** Flags in flight per job (the rest wait their turn: pBFT's client holds 64 at most). */
const MAX_FLAGS_IN_FLIGHT = 4;
/**
 * Tasks one agent is flagged for per job at most: a liar that forged every task is proven by
 * the first few, and one flag already keeps it from further copies.
 */
export const MAX_FLAGS_PER_AGENT_PER_JOB = 4;
/** An acceptance's JSON text stays below this, with room for pBFT's framing. */
const ACCEPT_ACTION_CHARS = PBFT_MAX_ACTION_BYTES - 512;

interface CriticalJob {
  spec: JobSpec;
  quorum: number;
  submittedAtMs: Millis;
  finishedAtMs: Millis | null;
  state: JobStatus['state'];
  /** Per task: the copies' reports so far, and where it stands. */
  reports: CopyReport[][];
  texts: Map<string, string>;
  decided: (string | null)[];
  /** Tasks whose f+1 agreed, with what they agreed on, waiting for an acceptance (in order). */
  queued: Map<number, AcceptedEntry>;
  inAcceptance: Set<number>;
  acceptsInFlight: number;
  flagsInFlight: number;
  /** Flags waiting for a place in flight. */
  flagQueue: CriticalAction[];
  flagged: Set<string>;
  /** Flags proposed per agent in this job. */
  flagsPerAgent: Map<AgentId, number>;
  round: number;
  /** The running round's job: copy index to the task it is a copy of. */
  roundJobId: string | null;
  copyOf: number[];
  resolve: (results: unknown[]) => void;
  reject: (error: Error) => void;
}

/**
 * Byzantine-checked jobs (core/tasks/README.md, "Critical jobs"). Each task runs as f+1 copies
 * on distinct agents (a round: one ordinary job whose tasks are the copies, pinned by the
 * ring); a task whose copies agree is accepted through pBFT (`tasks.accept`, once per task);
 * one whose copies disagree runs more copies, on agents that have not run it, in the next
 * round. Agents whose report differs from the accepted result are flagged through pBFT with the
 * evidence (`tasks.flag`) and run no further copies.
 */
export class CriticalJobs {
  private readonly jobs = new Map<string, CriticalJob>();
  private readonly byRound = new Map<string, CriticalJob>();

  constructor(
    private readonly runner: CopyRunner,
    private readonly critical: CriticalPort,
    private readonly onAccepted: (
      jobId: string,
      task: number,
      owner: AgentId,
      text: string,
    ) => void,
    private readonly clock: Clock,
  ) {}

  private nowMs(): Millis {
    return this.clock.nowMs();
  }

  /** Runs `retry` after the pause that follows failed try number `tries`. */
  private later(tries: number, retry: () => void): void {
    this.clock.setTimer(this.nowMs() + RETRY_BASE_MS * 2 ** (tries - 1), retry);
  }

  /** Starts `spec` as a critical job; throws a TaskError when it cannot run at all. */
  submit(spec: JobSpec, nowMs: Millis): Promise<unknown[]> {
    const f = this.critical.faultTolerance();
    if (f === null)
      throw new TaskError('no-quorum', 'critical jobs need the pBFT replica set, still forming');
    return new Promise<unknown[]>((resolve, reject) => {
      const job: CriticalJob = {
        spec,
        quorum: f + 1,
        submittedAtMs: nowMs,
        finishedAtMs: null,
        state: 'running',
        reports: spec.inputs.map(() => []),
        texts: new Map(),
        decided: spec.inputs.map(() => null),
        queued: new Map(),
        inAcceptance: new Set(),
        acceptsInFlight: 0,
        flagsInFlight: 0,
        flagQueue: [],
        flagged: new Set(),
        flagsPerAgent: new Map(),
        round: 0,
        roundJobId: null,
        copyOf: [],
        resolve,
        reject,
      };
      this.jobs.set(spec.jobId, job);
      this.nextRound(job, nowMs);
    });
  }

  /** Whether `jobId` is a round of a critical job (its events are this class's). */
  owns(jobId: string): boolean {
    return this.byRound.has(jobId);
  }

  status(jobId: string): JobStatus | null {
    const job = this.jobs.get(jobId);
    if (job === undefined) return null;
    return {
      jobId,
      kind: job.spec.kind,
      strategy: job.spec.strategy,
      state: job.state,
      tasks: job.decided.map((digest, task) => {
        const reports = job.reports[task] as CopyReport[];
        const agreeing = reports.find((r) => r.digest === digest);
        return {
          task,
          state: digest !== null ? 'done' : job.state === 'failed' ? 'failed' : 'assigned',
          owner: agreeing?.agent ?? null,
          epoch: job.round,
          attempts: reports.length,
          lastError: null,
        };
      }),
      done: job.decided.filter((d) => d !== null).length,
      submittedAtMs: job.submittedAtMs,
      finishedAtMs: job.finishedAtMs,
    };
  }

  onEvent(event: TaskEvent, nowMs: Millis): void {
    if (!('jobId' in event)) return;
    const job = this.byRound.get(event.jobId);
    if (job === undefined || job.state !== 'running') return;
    if (event.type === 'task-accepted') {
      const task = job.copyOf[event.task];
      const text = this.runner.resultOf(event.jobId, event.task);
      if (task === undefined || text === null) return;
      const digest = this.runner.digestOf(text);
      job.texts.set(digest, text);
      (job.reports[task] as CopyReport[]).push({ agent: event.owner, digest });
      this.consider(job, task);
    } else if (event.type === 'job-done') {
      this.byRound.delete(event.jobId);
      job.roundJobId = null;
      this.nextRound(job, nowMs);
    } else if (event.type === 'job-failed') {
      this.byRound.delete(event.jobId);
      job.roundJobId = null;
      // Out of agents after a disagreement: say what disagreed (a kind whose result depends on
      // the agent, like `busy`, never agrees).
      const split =
        event.code === 'no-capable-agent' && job.round > 1 ? this.disagreement(job) : null;
      if (split !== null) return this.fail(job, 'task-failed', split, nowMs);
      this.fail(job, event.code, `round ${job.round}: ${event.message}`, nowMs);
    }
  }

  /** Why the job's open tasks cannot agree, or null when none has copies that differ. */
  private disagreement(job: CriticalJob): string | null {
    for (const [task, reports] of job.reports.entries()) {
      if (job.decided[task] !== null) continue;
      const digests = new Set(reports.map((r) => r.digest));
      if (digests.size > 1)
        return (
          `no ${job.quorum} agents agree on task ${task}: ${reports.length} agents gave ` +
          `${digests.size} different results and no other agent is left to run it ` +
          '(is its result the same wherever it runs?)'
        );
    }
    return null;
  }

  /** Every running job fails `stopped`. */
  stop(nowMs: Millis): void {
    for (const job of this.jobs.values())
      this.fail(job, 'stopped', 'this agent has left the mesh', nowMs);
  }

  /** A task's copies may agree now: queue its acceptance, or flag a late dissenter. */
  private consider(job: CriticalJob, task: number): void {
    const decided = job.decided[task] as string | null;
    if (decided !== null) return this.flagDissenters(job, task);
    if (job.inAcceptance.has(task) || job.queued.has(task)) return;
    const verdict = verdictOf(job.reports[task] as CopyReport[], job.quorum);
    if (verdict.kind !== 'agreed') return;
    job.queued.set(task, [task, verdict.digest, verdict.agents]);
    this.flushAccepts(job);
  }

  /** Starts the next round for the tasks whose copies have not agreed, or ends the job. */
  private nextRound(job: CriticalJob, nowMs: Millis): void {
    if (job.state !== 'running') return;
    const flaggedAgents = new Set(this.critical.flags().map((f) => f.agent));
    const groups: number[] = [];
    const avoid: AgentId[][] = [];
    const inputs: string[] = [];
    for (const [task, reports] of job.reports.entries()) {
      if (job.decided[task] !== null || job.inAcceptance.has(task) || job.queued.has(task))
        continue;
      const verdict = verdictOf(reports, job.quorum);
      if (verdict.kind === 'agreed') continue;
      const ran = new Set([...reports.map((r) => r.agent), ...flaggedAgents]);
      for (let i = 0; i < verdict.more; i++) {
        groups.push(task);
        avoid.push([...ran]);
        inputs.push(job.spec.inputs[task] as string);
      }
    }
    if (inputs.length === 0) return this.maybeFinish(job, nowMs);
    if (job.round >= MAX_CRITICAL_ROUNDS)
      return this.fail(
        job,
        'task-failed',
        `${new Set(groups).size} tasks found no ${job.quorum} agreeing agents in ${job.round} rounds`,
        nowMs,
      );
    job.round++;
    const jobId = `${job.spec.jobId}.r${job.round}`;
    job.roundJobId = jobId;
    job.copyOf = groups;
    this.byRound.set(jobId, job);
    const leftMs = Math.max(1, job.spec.timeoutMs - (nowMs - job.submittedAtMs));
    this.runner.submit({
      ...job.spec,
      jobId,
      inputs,
      strategy: 'hash',
      requires: [],
      timeoutMs: leftMs,
      copies: { groups, avoid },
    });
  }

  private flushAccepts(job: CriticalJob): void {
    while (
      job.state === 'running' &&
      job.acceptsInFlight < MAX_ACCEPTS_IN_FLIGHT &&
      job.queued.size > 0
    ) {
      const results: AcceptedEntry[] = [];
      const base = JSON.stringify({ kind: TASK_ACCEPT_KIND, jobId: job.spec.jobId, results: [] });
      let chars = base.length;
      for (const [task, entry] of job.queued) {
        if (results.length >= MAX_RESULTS_PER_OP) break;
        const entryChars = JSON.stringify(entry).length + 1;
        if (results.length > 0 && chars + entryChars > ACCEPT_ACTION_CHARS) break;
        chars += entryChars;
        results.push(entry);
        job.queued.delete(task);
        job.inAcceptance.add(task);
      }
      job.acceptsInFlight++;
      this.proposeAccept(job, results, 1);
    }
  }

  private proposeAccept(job: CriticalJob, results: AcceptedEntry[], tries: number): void {
    const action = { kind: TASK_ACCEPT_KIND, jobId: job.spec.jobId, results };
    this.critical.propose(action).then(
      (value) => {
        job.acceptsInFlight--;
        if (job.state !== 'running') return;
        const { accepted, refused } = value as { accepted: number[]; refused: [number, string][] };
        const digestOf = new Map(results.map(([task, digest]) => [task, digest]));
        for (const task of accepted) this.decide(job, task, digestOf.get(task) as string);
        // Accepted before (an earlier try of this proposal committed): the first one counts.
        for (const [task, first] of refused) this.decide(job, task, first);
        this.flushAccepts(job);
        this.maybeFinish(job, this.nowMs());
      },
      (error: unknown) => {
        if (job.state !== 'running') return void job.acceptsInFlight--;
        if (tries < MAX_PROPOSAL_TRIES)
          return this.later(tries, () => {
            if (job.state === 'running') this.proposeAccept(job, results, tries + 1);
            else job.acceptsInFlight--;
          });
        job.acceptsInFlight--;
        this.fail(
          job,
          codeOf(error),
          `accepting results through pBFT: ${messageOf(error)}`,
          this.nowMs(),
        );
      },
    );
  }

  private decide(job: CriticalJob, task: number, digest: string): void {
    job.inAcceptance.delete(task);
    if (job.decided[task] !== null) return;
    const text = job.texts.get(digest);
    if (text === undefined)
      return this.fail(
        job,
        'task-failed',
        `task ${task} was accepted with a result never seen here`,
        this.nowMs(),
      );
    job.decided[task] = digest;
    const agreeing = (job.reports[task] as CopyReport[]).find((r) => r.digest === digest);
    this.onAccepted(job.spec.jobId, task, agreeing?.agent as AgentId, text);
    this.flagDissenters(job, task);
  }

  /** Flags, once each, the agents whose report for `task` is not its accepted result. */
  private flagDissenters(job: CriticalJob, task: number): void {
    const accepted = job.decided[task] as string;
    const reports = job.reports[task] as CopyReport[];
    const agreeing = [...new Set(reports.filter((r) => r.digest === accepted).map((r) => r.agent))];
    for (const report of reports) {
      const key = `${report.agent}/${task}`;
      if (report.digest === accepted || job.flagged.has(key)) continue;
      job.flagged.add(key);
      const count = job.flagsPerAgent.get(report.agent) ?? 0;
      if (count >= MAX_FLAGS_PER_AGENT_PER_JOB) continue;
      job.flagsPerAgent.set(report.agent, count + 1);
      job.flagQueue.push({
        kind: TASK_FLAG_KIND,
        jobId: job.spec.jobId,
        task,
        agent: report.agent,
        digest: report.digest,
        agreeing: agreeing.slice(0, 16),
      });
    }
    this.flushFlags(job);
  }

  private flushFlags(job: CriticalJob): void {
    while (job.state === 'running' && job.flagsInFlight < MAX_FLAGS_IN_FLIGHT) {
      const action = job.flagQueue.shift();
      if (action === undefined) return;
      job.flagsInFlight++;
      this.proposeFlag(job, action, 1);
    }
  }

  private proposeFlag(job: CriticalJob, action: CriticalAction, tries: number): void {
    this.critical.propose(action).then(
      () => {
        job.flagsInFlight--;
        this.flushFlags(job);
        this.maybeFinish(job, this.nowMs());
      },
      (error: unknown) => {
        if (job.state === 'running' && tries < MAX_PROPOSAL_TRIES)
          return this.later(tries, () => {
            if (job.state === 'running') this.proposeFlag(job, action, tries + 1);
            else job.flagsInFlight--;
          });
        job.flagsInFlight--;
        this.fail(
          job,
          codeOf(error),
          `flagging ${String(action.agent).slice(0, 8)}: ${messageOf(error)}`,
          this.nowMs(),
        );
      },
    );
  }

  /** Done once every task is accepted, its round is over and every flag committed. */
  private maybeFinish(job: CriticalJob, nowMs: Millis): void {
    if (job.state !== 'running' || job.flagsInFlight > 0 || job.acceptsInFlight > 0) return;
    if (job.flagQueue.length > 0) return;
    if (job.decided.some((d) => d === null)) return;
    job.state = 'done';
    job.finishedAtMs = nowMs;
    // Copies still running are not needed (the round's end, which would say so, is not awaited).
    if (job.roundJobId !== null) this.runner.cancel(job.roundJobId);
    this.forget(job);
    this.critical.propose({ kind: TASK_CLOSE_KIND, jobId: job.spec.jobId }).catch(() => undefined);
    job.resolve(
      job.decided.map((digest) => JSON.parse(job.texts.get(digest as string) as string) as unknown),
    );
  }

  private fail(job: CriticalJob, code: TaskErrorCode, message: string, nowMs: Millis): void {
    if (job.state !== 'running') return;
    job.state = 'failed';
    job.finishedAtMs = nowMs;
    if (job.roundJobId !== null) this.runner.cancel(job.roundJobId);
    this.forget(job);
    job.reject(new TaskError(code, message));
  }

  private forget(job: CriticalJob): void {
    for (const [roundId, owner] of this.byRound) if (owner === job) this.byRound.delete(roundId);
    // Ended jobs stay for `status` until newer ones push them out.
    const ended = [...this.jobs.values()].filter((j) => j.state !== 'running');
    for (const old of ended.slice(0, Math.max(0, ended.length - 16)))
      this.jobs.delete(old.spec.jobId);
  }
}

function codeOf(error: unknown): TaskErrorCode {
  const code = (error as { code?: unknown }).code;
  return code === 'no-quorum' || code === 'timeout' || code === 'busy' ? code : 'ledger-refused';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
