import { describe, expect, it } from 'vitest';
import { B, SELF } from '../base/testSupport';
import type { StolenTask } from '../wire/taskMessages';
import { WorkQueue } from './workQueue';

const task = (n: number, epoch: number): StolenTask => ({
  jobId: 'j',
  submitter: SELF,
  kind: 'busy',
  task: n,
  epoch,
  input: `{"ms":${n}}`,
  costMs: 10,
  timeoutMs: 1000,
});

const result = (n: number, epoch: number, ok: boolean) =>
  ok
    ? ({ type: 'task-result', jobId: 'j', task: n, epoch, ok, result: '1', ms: 1 } as const)
    : ({
        type: 'task-result',
        jobId: 'j',
        task: n,
        epoch,
        ok,
        error: 'failed',
        message: 'boom',
        ms: 1,
      } as const);

describe('WorkQueue', () => {
  it('answers a repeated offer without running the task twice, an older epoch with what it holds', () => {
    const queue = new WorkQueue(8, 8);
    expect(queue.take(task(0, 1), true)).toEqual({ kind: 'queued' });
    expect(queue.take(task(0, 1), true)).toEqual({ kind: 'held' });
    const running = queue.start(1);
    expect(running?.task).toBe(0);
    expect(queue.take(task(0, 1), true)).toEqual({ kind: 'held' });
    queue.finish(1, result(0, 1, true));
    expect(queue.take(task(0, 1), true)).toMatchObject({ kind: 'resend' });
    // An offer under an older epoch (the submitter has not heard of a move): the result, under
    // the epoch this agent ran it at, for the ledger to judge.
    expect(queue.take(task(0, 0), true)).toMatchObject({ kind: 'resend', item: { epoch: 1 } });
    // Back here at a newer epoch: the same (deterministic) answer, under the new epoch.
    const again = queue.take(task(0, 3), true);
    expect(again).toMatchObject({ kind: 'resend', item: { epoch: 3, result: { epoch: 3 } } });
  });

  it('a failed run offered again at a newer epoch runs again, not answered with the failure', () => {
    const queue = new WorkQueue(8, 8);
    queue.take(task(4, 1), true);
    queue.start(1);
    queue.finish(1, result(4, 1, false));
    expect(queue.take(task(4, 1), true)).toMatchObject({ kind: 'resend' });
    expect(queue.take(task(4, 2), true)).toEqual({ kind: 'queued' });
    expect(queue.start(2)).toMatchObject({ task: 4, epoch: 2, state: 'running' });
  });

  it('gives thieves its oldest tasks; one given away and offered again is queued again', () => {
    const queue = new WorkQueue(8, 8);
    for (const n of [0, 1, 2, 3]) queue.take(task(n, 1), true);
    expect(queue.giveUp(2, 1 << 20).map((item) => item.task)).toEqual([0, 1]);
    expect(queue.queued).toBe(2);
    // The thief's move never landed: the submitter offers task 0 again at the epoch it knows.
    expect(queue.take(task(0, 1), true)).toEqual({ kind: 'queued' });
    expect(queue.queued).toBe(3);
  });

  it('a steal carries no more input bytes than asked, but always one task', () => {
    const queue = new WorkQueue(8, 8);
    for (const n of [0, 1, 2])
      queue.take({ ...task(n, 1), input: JSON.stringify('x'.repeat(1000)) }, true);
    expect(queue.giveUp(3, 1500).length).toBe(1);
    expect(queue.giveUp(3, 10).length).toBe(1);
    expect(queue.queued).toBe(1);
  });

  it('drops the tasks of a cancelled job, returning the runs to cancel; refuses past its capacity', () => {
    const queue = new WorkQueue(2, 8);
    queue.take(task(0, 1), true);
    queue.take({ ...task(1, 1), submitter: B }, true);
    expect(queue.take(task(2, 1), true)).toEqual({ kind: 'full' });
    queue.start(7);
    const { cancelledRuns } = queue.drop((item) => item.submitter === B || item.task === 0);
    expect(cancelledRuns).toEqual([7]);
    expect(queue.runningCount + queue.queued).toBe(0);
    expect([...queue.all()]).toEqual([]);
    queue.invariants(1);
  });
});
