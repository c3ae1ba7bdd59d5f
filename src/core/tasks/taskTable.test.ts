import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import { B, C, D, SELF } from '../base/testSupport';
import {
  MAX_OPEN_JOBS,
  MAX_OPEN_TASKS,
  MAX_TASKS_PER_JOB,
  TaskTable,
  type TaskTableOp,
} from './taskTable';

const DIGEST = 'a'.repeat(64);
const OTHER_DIGEST = 'b'.repeat(64);

function opened(tasks = 4): TaskTable {
  const table = new TaskTable();
  table.apply({ kind: 'task-open', jobId: 'j1', submitter: SELF, tasks });
  return table;
}

describe('TaskTable', () => {
  it('moves a task only from the owner and epoch the proposer saw; the first of two movers wins', () => {
    const table = opened();
    expect(
      table.apply({
        kind: 'task-assign',
        jobId: 'j1',
        from: null,
        to: B,
        tasks: [
          [0, 0],
          [1, 0],
        ],
      }),
    ).toEqual({
      kind: 'assigned',
      moved: [
        [0, 1],
        [1, 1],
      ],
      refused: [],
    });
    // Two thieves saw B own task 0 at epoch 1: C's move lands, D's is refused with the news.
    const c = table.apply({ kind: 'task-assign', jobId: 'j1', from: B, to: C, tasks: [[0, 1]] });
    const d = table.apply({ kind: 'task-assign', jobId: 'j1', from: B, to: D, tasks: [[0, 1]] });
    expect(c).toEqual({ kind: 'assigned', moved: [[0, 2]], refused: [] });
    expect(d).toEqual({
      kind: 'assigned',
      moved: [],
      refused: [{ task: 0, owner: C, epoch: 2, accepted: false, digest: null }],
    });
    expect(table.job('j1')?.tasks[0]).toEqual({ owner: C, epoch: 2, digest: null });
    table.invariants();
  });

  it("accepts a result once, only from the task's owner under its current epoch (fencing)", () => {
    const table = opened();
    table.apply({ kind: 'task-assign', jobId: 'j1', from: null, to: B, tasks: [[0, 0]] });
    table.apply({ kind: 'task-assign', jobId: 'j1', from: B, to: C, tasks: [[0, 1]] });
    // B was slow, not dead: its result ran under epoch 1, the task is at 2 with C.
    expect(
      table.apply({ kind: 'task-accept', jobId: 'j1', owner: B, results: [[0, 1, DIGEST]] }),
    ).toEqual({
      kind: 'accepted',
      accepted: [],
      refused: [{ task: 0, owner: C, epoch: 2, accepted: false, digest: null }],
    });
    // C cannot pass off an old epoch either.
    expect(
      table.apply({ kind: 'task-accept', jobId: 'j1', owner: C, results: [[0, 1, DIGEST]] }),
    ).toMatchObject({ accepted: [] });
    expect(
      table.apply({ kind: 'task-accept', jobId: 'j1', owner: C, results: [[0, 2, DIGEST]] }),
    ).toEqual({ kind: 'accepted', accepted: [0], refused: [] });
    // Once accepted, a task neither moves nor takes a second result.
    expect(
      table.apply({ kind: 'task-accept', jobId: 'j1', owner: C, results: [[0, 2, OTHER_DIGEST]] }),
    ).toMatchObject({ accepted: [], refused: [{ task: 0, accepted: true }] });
    expect(
      table.apply({ kind: 'task-assign', jobId: 'j1', from: C, to: D, tasks: [[0, 2]] }),
    ).toMatchObject({ moved: [], refused: [{ task: 0, owner: C, accepted: true }] });
    expect(table.job('j1')?.tasks[0]?.digest).toBe(DIGEST);
  });

  it('refuses malformed operations with a reason, and operations on jobs it does not hold', () => {
    const cases: [unknown, RegExp][] = [
      [null, /object/],
      [{ kind: 'task-open', jobId: 'bad id!', submitter: SELF, tasks: 1 }, /jobId/],
      [{ kind: 'task-open', jobId: 'j', submitter: 'nobody', tasks: 1 }, /submitter/],
      [{ kind: 'task-open', jobId: 'j', submitter: SELF, tasks: MAX_TASKS_PER_JOB + 1 }, /tasks/],
      [{ kind: 'task-assign', jobId: 'j', from: null, to: B, tasks: [] }, /1 to/],
      [
        {
          kind: 'task-assign',
          jobId: 'j',
          from: null,
          to: B,
          tasks: [
            [0, 0],
            [0, 0],
          ],
        },
        /twice/,
      ],
      [{ kind: 'task-assign', jobId: 'j', from: null, to: B, tasks: [[-1, 0]] }, /whole number/],
      [{ kind: 'task-assign', jobId: 'j', from: 'x', to: B, tasks: [[0, 0]] }, /from/],
      [{ kind: 'task-accept', jobId: 'j', owner: B, results: [[0, 1, 'short']] }, /malformed/],
      [{ kind: 'task-steal', jobId: 'j' }, /unknown task operation/],
    ];
    for (const [op, reason] of cases) expect(TaskTable.refusal(op)).toMatch(reason);
    const table = opened(2);
    expect(() =>
      table.apply({ kind: 'task-assign', jobId: 'nope', from: null, to: B, tasks: [[0, 0]] }),
    ).toThrow(/no open job/);
    expect(() =>
      table.apply({ kind: 'task-assign', jobId: 'j1', from: null, to: B, tasks: [[5, 0]] }),
    ).toThrow(/no task 5/);
    expect(() =>
      table.apply({ kind: 'task-open', jobId: 'j1', submitter: SELF, tasks: 1 }),
    ).toThrow(/open already/);
  });

  it('bounds open jobs and open tasks; closing frees both', () => {
    const table = new TaskTable();
    for (let i = 0; i < MAX_OPEN_JOBS; i++)
      table.apply({ kind: 'task-open', jobId: `j${i}`, submitter: SELF, tasks: 1 });
    expect(() =>
      table.apply({ kind: 'task-open', jobId: 'more', submitter: SELF, tasks: 1 }),
    ).toThrow(/jobs are open/);
    expect(table.apply({ kind: 'task-close', jobId: 'j0' })).toEqual({
      kind: 'closed',
      existed: true,
    });
    expect(table.apply({ kind: 'task-close', jobId: 'j0' })).toEqual({
      kind: 'closed',
      existed: false,
    });
    const big = new TaskTable();
    const perJob = MAX_TASKS_PER_JOB;
    for (let i = 0; i < MAX_OPEN_TASKS / perJob; i++)
      big.apply({ kind: 'task-open', jobId: `b${i}`, submitter: SELF, tasks: perJob });
    expect(() => big.apply({ kind: 'task-open', jobId: 'x', submitter: SELF, tasks: 1 })).toThrow(
      /tasks; 8192 at most/,
    );
    big.apply({ kind: 'task-close', jobId: 'b0' });
    expect(big.openTaskCount).toBe(MAX_OPEN_TASKS - perJob);
    big.invariants();
  });

  it('a snapshot restores the same table', () => {
    const table = opened(3);
    table.apply({ kind: 'task-assign', jobId: 'j1', from: null, to: B, tasks: [[2, 0]] });
    table.apply({ kind: 'task-accept', jobId: 'j1', owner: B, results: [[2, 1, DIGEST]] });
    const copy = new TaskTable();
    copy.restore(JSON.parse(JSON.stringify(table.snapshot())));
    expect(copy.snapshot()).toEqual(table.snapshot());
    expect(copy.openTaskCount).toBe(3);
    copy.restore(undefined);
    expect(copy.jobIds()).toEqual([]);
  });

  it('under random moves and reports from four agents, each task is accepted at most once, from its owner at that moment', () => {
    const agents: AgentId[] = [SELF, B, C, D];
    for (let seed = 1; seed <= 40; seed++) {
      const prng = createSeededPrng(seed);
      const pick = <T>(items: readonly T[]): T => items[prng.nextInt(items.length)] as T;
      const table = opened(8);
      // What each agent last believed about each task: stale beliefs are the point.
      const belief = agents.map(() =>
        Array.from({ length: 8 }, () => ({ owner: null as AgentId | null, epoch: 0 })),
      );
      const acceptedBy = new Map<number, { owner: AgentId; epoch: number }>();
      for (let step = 0; step < 200; step++) {
        const who = prng.nextInt(agents.length);
        const task = prng.nextInt(8);
        const seen = belief[who]![task]!;
        const before = { ...table.job('j1')!.tasks[task]! };
        let op: TaskTableOp;
        if (prng.nextFloat() < 0.5) {
          op = {
            kind: 'task-assign',
            jobId: 'j1',
            from: seen.owner,
            to: pick(agents),
            tasks: [[task, seen.epoch]],
          };
        } else {
          op = {
            kind: 'task-accept',
            jobId: 'j1',
            owner: agents[who]!,
            results: [[task, seen.epoch, DIGEST]],
          };
        }
        const result = table.apply(op);
        table.invariants();
        if (result.kind === 'accepted' && result.accepted.length > 0) {
          expect(acceptedBy.has(task)).toBe(false);
          // Naive oracle: only the owner at the epoch the table held may be accepted.
          expect(before).toEqual({ owner: agents[who], epoch: seen.epoch, digest: null });
          acceptedBy.set(task, { owner: agents[who]!, epoch: seen.epoch });
        }
        const now = table.job('j1')!.tasks[task]!;
        // Everyone involved learns the news; others keep their stale belief.
        belief[who]![task] = { owner: now.owner, epoch: now.epoch };
        if (now.owner !== null)
          belief[agents.indexOf(now.owner)]![task] = { owner: now.owner, epoch: now.epoch };
      }
      for (const [task, by] of acceptedBy) {
        expect(table.job('j1')!.tasks[task]).toEqual({
          owner: by.owner,
          epoch: by.epoch,
          digest: DIGEST,
        });
      }
    }
  });
});
