import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import { fixedId } from '../base/testSupport';
import { DEFAULT_STEAL_OPTIONS, planSteal, WorkDeque, type AgentLoad } from './stealing';

const load = (digit: string, queued: number, over: Partial<AgentLoad> = {}): AgentLoad => ({
  agent: fixedId(digit),
  queued,
  workers: 2,
  meanTaskMs: 100,
  ...over,
});

describe('WorkDeque', () => {
  it('the owner takes the newest, a thief the oldest; a full deque refuses', () => {
    const deque = new WorkDeque<number>(4);
    for (const n of [1, 2, 3, 4]) expect(deque.push(n)).toBe(true);
    expect(deque.push(5)).toBe(false);
    expect(deque.pop()).toBe(4);
    expect(deque.giveUp(2)).toEqual([1, 2]);
    // Two thieves asked for the same tasks: the second gets what is left, not the same ones.
    expect(deque.giveUp(2)).toEqual([3]);
    expect(deque.giveUp(2)).toEqual([]);
    expect(deque.length).toBe(0);
  });
});

describe('planSteal', () => {
  it('an idle agent takes half the gap from a busy one, bounded, and says why', () => {
    const plan = planSteal(load('a', 0), [load('b', 40)]);
    expect(plan).toEqual({
      victim: fixedId('b'),
      count: 16,
      victimFinishMs: 2000,
      thiefFinishMs: 800 + 16 * DEFAULT_STEAL_OPTIONS.transferMs,
      gainMs: 800,
    });
  });

  it('does not steal when busy itself, between equals, or when moving costs more than it gains', () => {
    expect(planSteal(load('a', 2), [load('b', 40)])).toBeNull();
    expect(planSteal(load('a', 0), [load('b', 4)])).toBeNull();
    const costly = { ...DEFAULT_STEAL_OPTIONS, transferMs: 200 };
    expect(planSteal(load('a', 0), [load('b', 40)], costly)).toBeNull();
    // A slow thief gains nothing from a fast victim's queue.
    expect(
      planSteal(load('a', 0, { meanTaskMs: 2000 }), [load('b', 6, { meanTaskMs: 10 })]),
    ).toBeNull();
  });

  it('a long round trip is paid once per steal: a small steal stops paying, a big one still does', () => {
    const slow = { ...DEFAULT_STEAL_OPTIONS, roundTripMs: 300, transferMs: 1, maxPerSteal: 64 };
    // Two tasks ahead of an idle thief: 200 ms saved, 300 ms to ask. Not worth it.
    expect(planSteal(load('a', 0), [load('b', 5)], slow)).toBeNull();
    const plan = planSteal(load('a', 0), [load('b', 120)], slow);
    expect(plan?.count).toBe(60);
    expect(plan?.thiefFinishMs).toBe(3000 + 300 + 60);
    expect(plan?.gainMs).toBeGreaterThan(slow.margin * (300 + 60));
  });

  it('picks the most loaded victim, ties to the smaller id', () => {
    const peers = [load('c', 30), load('b', 60), load('d', 60)];
    expect(planSteal(load('a', 0), peers)?.victim).toBe(fixedId('b'));
  });

  it('any plan it makes pays: gain over margin x transfer, from a victim above the high water', () => {
    const prng = createSeededPrng(5);
    let plans = 0;
    for (let round = 0; round < 500; round++) {
      const peers = Array.from({ length: 5 }, (_, i) =>
        load(String(i + 1), prng.nextInt(80), {
          workers: 1 + prng.nextInt(4),
          meanTaskMs: 10 + prng.nextInt(500),
        }),
      );
      const self = load('a', prng.nextInt(3), { workers: 1 + prng.nextInt(4) });
      const plan = planSteal(self, peers);
      if (plan === null) continue;
      plans++;
      const victim = peers.find((p) => p.agent === (plan.victim as AgentId))!;
      const { margin, transferMs, maxPerSteal, highWaterPerWorker } = DEFAULT_STEAL_OPTIONS;
      expect(plan.gainMs).toBeGreaterThan(margin * transferMs * plan.count);
      expect(plan.count).toBeGreaterThan(0);
      expect(plan.count).toBeLessThanOrEqual(Math.min(maxPerSteal, victim.queued));
      expect(victim.queued).toBeGreaterThan(highWaterPerWorker * victim.workers);
    }
    expect(plans).toBeGreaterThan(50);
  });
});
