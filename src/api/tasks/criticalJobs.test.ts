import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import type { JobSpec, TaskEvent } from '../../core/tasks/taskTypes';
import { sha256Hex } from '../../host/sha256Hex';
import { TestClock } from '../../host/testClock';
import type { CriticalAction } from '../critical/criticalKind';
import { CriticalJobs, type CopyRunner } from './criticalJobs';
import { criticalTaskKinds, flagsIn } from './criticalTaskKinds';

const agent = (i: number) => String(i).repeat(64).slice(0, 64) as AgentId;
const SUBMITTER = agent(9);
const utf8 = new TextEncoder();
const digestOf = (text: string) => sha256Hex(utf8.encode(text));

/** pBFT stood in for by the real kinds applied in proposal order, one replica's state. */
function fakeCritical(f: number) {
  const kinds = criticalTaskKinds();
  const state: Record<string, unknown> = {};
  const committed: CriticalAction[] = [];
  let seq = 0;
  return {
    committed,
    state,
    port: {
      faultTolerance: () => f,
      flags: () => flagsIn(state),
      propose: async (action: CriticalAction) => {
        const kind = kinds[action.kind];
        if (kind === undefined) throw new Error(`unknown kind ${action.kind}`);
        const refusal = kind.validate?.(action);
        if (typeof refusal === 'string') throw new Error(refusal);
        committed.push(action);
        return kind.apply(action, { seq: ++seq, proposer: SUBMITTER, state });
      },
    },
  };
}

/** The task side stood in for: records each round's job; the test plays its copies' outcomes. */
function fakeRunner() {
  const rounds: JobSpec[] = [];
  const results = new Map<string, string>();
  const cancelled: string[] = [];
  const runner: CopyRunner = {
    submit: (spec) => rounds.push(spec),
    cancel: (jobId) => cancelled.push(jobId),
    resultOf: (jobId, task) => results.get(`${jobId}/${task}`) ?? null,
    digestOf,
  };
  return { runner, rounds, results, cancelled };
}

/** CriticalJobs over the fakes; `report` plays one copy's result accepted from `owner`. */
function criticalJobsOver(critical: ReturnType<typeof fakeCritical>, clock = new TestClock()) {
  const fake = fakeRunner();
  const jobs = new CriticalJobs(fake.runner, critical.port, () => undefined, clock);
  const report = (jobId: string, task: number, owner: AgentId, value: unknown) => {
    fake.results.set(`${jobId}/${task}`, JSON.stringify(value));
    jobs.onEvent({ type: 'task-accepted', jobId, task, owner, epoch: 1, ms: 1 }, 1);
  };
  return { ...fake, jobs, report };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function spec(inputs: number[]): JobSpec {
  return {
    jobId: 'job-c1',
    kind: 'count-primes',
    inputs: inputs.map((n) => JSON.stringify(n)),
    strategy: 'hash',
    requires: [],
    costMs: 10,
    timeoutMs: 60_000,
    runTimeoutMs: 10_000,
  };
}

describe('CriticalJobs', () => {
  it('accepts f+1 agreeing copies through pBFT once, runs more copies where a liar disagreed, and flags it', async () => {
    const critical = fakeCritical(1);
    const { runner, rounds, results, cancelled } = fakeRunner();
    const accepted: [number, AgentId][] = [];
    const jobs = new CriticalJobs(
      runner,
      critical.port,
      (_, task, owner) => accepted.push([task, owner]),
      new TestClock(),
    );
    const done = jobs.submit(spec([10, 20, 30]), 0);
    const events = (jobId: string, list: [number, AgentId, number][]): TaskEvent[] =>
      list.map(([task, owner, value]) => {
        results.set(`${jobId}/${task}`, JSON.stringify(value));
        return { type: 'task-accepted', jobId, task, owner, epoch: 1, ms: 1 };
      });

    // Round 1: two copies of each task, on distinct agents (the scheduler's part), none avoided.
    const [first] = rounds;
    expect(first?.copies).toEqual({ groups: [0, 0, 1, 1, 2, 2], avoid: [[], [], [], [], [], []] });
    expect(first?.strategy).toBe('hash');
    expect(jobs.owns('job-c1.r1')).toBe(true);
    const liar = agent(3);
    for (const event of events('job-c1.r1', [
      [0, agent(1), 10],
      [1, agent(2), 10],
      [2, agent(1), 20],
      [3, liar, 21],
      [4, agent(2), 30],
      [5, liar, 31],
    ]))
      jobs.onEvent(event, 1);
    jobs.onEvent({ type: 'job-done', jobId: 'job-c1.r1', results: [] }, 2);
    await flush();
    // Task 0 agreed; tasks 1 and 2 need one more copy each, away from both that ran them.
    expect(accepted).toEqual([[0, agent(1)]]);
    const second = rounds[1];
    expect(second?.jobId).toBe('job-c1.r2');
    expect(second?.inputs).toEqual(['20', '30']);
    expect(second?.copies).toEqual({
      groups: [1, 2],
      avoid: [
        [agent(1), liar],
        [agent(2), liar],
      ],
    });
    for (const event of events('job-c1.r2', [
      [0, agent(4), 20],
      [1, agent(4), 30],
    ]))
      jobs.onEvent(event, 3);
    jobs.onEvent({ type: 'job-done', jobId: 'job-c1.r2', results: [] }, 4);
    expect(await done).toEqual([10, 20, 30]);

    const kinds = critical.committed.map((a) => a.kind);
    expect(kinds.filter((k) => k === 'tasks.accept').length).toBeGreaterThanOrEqual(2);
    expect(kinds[kinds.length - 1]).toBe('tasks.close');
    const flags = critical.port.flags();
    expect(flags.map((f) => [f.agent, f.task, f.digest])).toEqual([
      [liar, 1, digestOf('21')],
      [liar, 2, digestOf('31')],
    ]);
    expect(flags[0]?.accepted).toBe(digestOf('20'));
    expect(flags[0]?.agreeing).toEqual([agent(1), agent(4)]);
    expect(cancelled).toEqual([]);
    expect(jobs.status('job-c1')).toMatchObject({ state: 'done', done: 3 });
  });

  it('flags a liar for a few tasks per job, a few flags in flight at once', async () => {
    const critical = fakeCritical(1);
    let inFlight = 0;
    let mostInFlight = 0;
    const propose = critical.port.propose;
    critical.port.propose = async (action) => {
      if (action.kind !== 'tasks.flag') return propose(action);
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return propose(action);
    };
    const { jobs, report } = criticalJobsOver(critical);
    const inputs = Array.from({ length: 12 }, (_, i) => i);
    const done = jobs.submit(spec(inputs), 0);
    const liar = agent(3);
    for (const n of inputs) {
      report('job-c1.r1', 2 * n, agent(1), n);
      report('job-c1.r1', 2 * n + 1, liar, n + 100);
    }
    jobs.onEvent({ type: 'job-done', jobId: 'job-c1.r1', results: [] }, 2);
    for (const n of inputs) report('job-c1.r2', n, agent(4), n);
    jobs.onEvent({ type: 'job-done', jobId: 'job-c1.r2', results: [] }, 3);
    expect(await done).toEqual(inputs);
    expect(critical.port.flags().map((f) => f.agent)).toEqual([liar, liar, liar, liar]);
    expect(mostInFlight).toBeLessThanOrEqual(4);
    expect(mostInFlight).toBeGreaterThan(1);
  });

  it('a second acceptance of a task is refused and names the first; flags must match an acceptance', async () => {
    const critical = fakeCritical(1);
    const d = (text: string) => digestOf(text);
    const accept = (task: number, digest: string) =>
      critical.port.propose({
        kind: 'tasks.accept',
        jobId: 'job-x',
        results: [[task, digest, [agent(1), agent(2)]]],
      });
    expect(await accept(0, d('1'))).toEqual({ accepted: [0], refused: [] });
    expect(await accept(0, d('2'))).toEqual({ accepted: [], refused: [[0, d('1')]] });
    const flag = (digest: string) =>
      critical.port.propose({
        kind: 'tasks.flag',
        jobId: 'job-x',
        task: 0,
        agent: agent(3),
        digest,
        agreeing: [agent(1)],
      });
    await expect(flag(d('1'))).rejects.toThrow(/accepted one/);
    expect(await flag(d('5'))).toEqual({ flagged: true });
    expect(await flag(d('5'))).toEqual({ flagged: false });
    await expect(
      critical.port.propose({ kind: 'tasks.accept', jobId: 'job-x', results: [[0, 'zz', []]] }),
    ).rejects.toThrow(/digest/);
    expect(flagsIn(critical.state)).toHaveLength(1);
  });

  it('a refused vote is tried again after a pause, not at once, and the job fails after three tries', async () => {
    const critical = fakeCritical(1);
    const tries: number[] = [];
    const clock = new TestClock();
    let refusals = 2;
    const port = {
      ...critical.port,
      propose: async (action: CriticalAction) => {
        if (action.kind !== 'tasks.accept') return critical.port.propose(action);
        tries.push(clock.nowMs());
        if (refusals-- > 0) throw Object.assign(new Error('too many in flight'), { code: 'busy' });
        return critical.port.propose(action);
      },
    };
    const { jobs, report } = criticalJobsOver({ ...critical, port }, clock);
    const done = jobs.submit(spec([7]), 0);
    report('job-c1.r1', 0, agent(1), 7);
    report('job-c1.r1', 1, agent(2), 7);
    jobs.onEvent({ type: 'job-done', jobId: 'job-c1.r1', results: [] }, 2);
    await flush();
    expect(tries).toEqual([0]);
    clock.advance(249);
    await flush();
    expect(tries).toEqual([0]);
    clock.advance(1);
    await flush();
    expect(tries).toEqual([0, 250]);
    clock.advance(500);
    await flush();
    expect(tries).toEqual([0, 250, 750]);
    expect(await done).toEqual([7]);

    refusals = 3;
    tries.length = 0;
    const failing = expect(
      jobs.submit({ ...spec([8]), jobId: 'job-c2' }, clock.nowMs()),
    ).rejects.toMatchObject({ code: 'busy' });
    report('job-c2.r1', 0, agent(1), 8);
    report('job-c2.r1', 1, agent(2), 8);
    for (let i = 0; i < 4; i++) {
      await flush();
      clock.advance(1_000);
    }
    await failing;
    expect(tries).toHaveLength(3);
  });

  it('says so when copies never agree and the agents run out (a kind whose result is its agent)', async () => {
    const { jobs, report } = criticalJobsOver(fakeCritical(1));
    const done = jobs.submit(spec([1]), 0);
    report('job-c1.r1', 0, agent(1), agent(1));
    report('job-c1.r1', 1, agent(2), agent(2));
    jobs.onEvent({ type: 'job-done', jobId: 'job-c1.r1', results: [] }, 2);
    jobs.onEvent(
      { type: 'job-failed', jobId: 'job-c1.r2', code: 'no-capable-agent', message: 'none left' },
      3,
    );
    await expect(done).rejects.toMatchObject({
      code: 'task-failed',
      message: expect.stringMatching(/2 agents gave 2 different results/),
    });
  });

  it('fails the job with the round’s code, and refuses to start while pBFT forms', async () => {
    const critical = fakeCritical(1);
    const { jobs, runner } = criticalJobsOver(critical);
    const done = jobs.submit(spec([1]), 0);
    jobs.onEvent(
      { type: 'job-failed', jobId: 'job-c1.r1', code: 'no-capable-agent', message: 'two agents' },
      1,
    );
    await expect(done).rejects.toMatchObject({ code: 'no-capable-agent' });
    const forming = new CriticalJobs(
      runner,
      { ...critical.port, faultTolerance: () => null },
      () => undefined,
      new TestClock(),
    );
    expect(() => forming.submit(spec([1]), 0)).toThrow(
      expect.objectContaining({ code: 'no-quorum' }),
    );
  });
});
