import { describe, expect, it } from 'vitest';
import { shortId, type AgentId } from '../../core/base/ids';
import { fixtureId } from '../dev/fixtures';
import { decisionsOf, tasksView } from '../dev/taskFixtures';
import { REASSIGNED_TASKS_LISTED, selectDecisionRows, type DecisionRow } from './taskDecisions';

const [self, a, b, c] = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];

function rows(): DecisionRow[] {
  return selectDecisionRows(tasksView({ decisions: decisionsOf(self) }), self);
}

function row(kind: DecisionRow['kind']): DecisionRow {
  const found = rows().find((r) => r.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} row`);
  return found;
}

describe('task decision rows', () => {
  it('lists the decisions newest first, each about its other agent', () => {
    expect(rows().map((r) => [r.kind, r.agent])).toEqual([
      ['task-error', a],
      ['task-reassigned', c],
      ['stolen-from', c],
      ['steal', b],
      ['award', a],
    ]);
  });

  it("says why a steal paid: the victim's finish against the thief's, the gain, the round trip", () => {
    const steal = row('steal');
    expect(steal.title).toBe(`stole 3 of 4 from ${shortId(b)}`);
    expect(steal.why).toEqual([
      `${shortId(b)} would finish them in 1600 ms`,
      'this agent in 420 ms, moving them included',
      'gain 1180 ms for 4 tasks',
      'round trip 12 ms',
    ]);
  });

  it("gives each bid's parts and score, and marks the winners", () => {
    const award = row('award');
    expect(award.title).toBe(`auction 7 awarded to ${shortId(a)} ×3, you ×1`);
    expect(award.why[0]).toMatch(/^2 bids in 38 ms/);
    expect(award.why[1]).toBe(
      `${shortId(a)}: match 1.00 · load 0.75 · speed 1.00 · cost 1.00 → score 0.93 (winner) ` +
        '[cpu 25 %, 20.0/s, done in 120 ms]',
    );
    expect(award.why[2]).toBe(
      `${shortId(b)}: match 1.00 · load 0.10 · speed 0.50 · cost 0.25 → score 0.56 ` +
        '[cpu 90 %, speed unknown, done in 480 ms]',
    );
    expect(award.why.at(-1)).toBe('job job-aaaa');
  });

  it('says from whom to whom a reassignment moved tasks, and why', () => {
    const moved = row('task-reassigned');
    expect(moved.title).toBe(`3 tasks ${shortId(b)} → ${shortId(c)}`);
    expect(moved.why[0]).toBe(`from ${shortId(b)} to ${shortId(c)}: its owner is unreachable`);
    expect(moved.why[1]).toBe('tasks 4, 5, 6');
  });

  it('counts the tasks of a long reassignment past the listed ones; an unowned source is nobody', () => {
    const tasks = Array.from({ length: REASSIGNED_TASKS_LISTED + 5 }, (_, i) => i);
    const [moved] = selectDecisionRows(
      tasksView({
        decisions: [
          {
            type: 'task-reassigned',
            jobId: 'j',
            tasks,
            from: null,
            to: self,
            reason: 'submitted',
            atMs: 1,
          },
        ],
      }),
      self,
    );
    expect(moved?.title).toBe('17 tasks nobody → you');
    expect(moved?.why[1]).toMatch(/, 11 and 5 more$/);
  });

  it("shows a failed run's code and message, and who gave up tasks to a thief", () => {
    const error = row('task-error');
    expect(error.title).toBe(`task 9 failed on ${shortId(a)}: timeout`);
    expect(error.why[0]).toBe('the run took longer than 30000 ms');
    expect(row('stolen-from').title).toBe(`${shortId(c)} stole 2`);
  });

  it('keeps keys unique when decisions share a millisecond, and stable as old ones drop', () => {
    const same = { type: 'stolen-from' as const, thief: c, count: 1, atMs: 5 };
    const keys = selectDecisionRows(tasksView({ decisions: [same, same] }), self).map((r) => r.key);
    expect(new Set(keys).size).toBe(2);
    const all = rows();
    const fewer = selectDecisionRows(tasksView({ decisions: decisionsOf(self).slice(1) }), self);
    expect(fewer.map((r) => r.key)).toEqual(all.slice(0, -1).map((r) => r.key));
  });
});
