import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { LocalHealth } from './localHealth';
import { Suspicion, suspicionBounds, suspicionTimeoutMs } from './suspicion';

const id = (digit: string) => digit.repeat(64) as AgentId;

describe('Lifeguard suspicion timeout', () => {
  it('min = mult x max(1, log10 N) x interval, max = maxMult x min, k confirmations expected', () => {
    const bounds = suspicionBounds(32, 1000, 1, 6, 3);
    expect(bounds.minMs).toBeCloseTo(1505.15, 2);
    expect(bounds.maxMs).toBeCloseTo(9030.9, 1);
    expect(bounds.expected).toBe(3);
    // Small groups: log10 N below 1 counts as 1.
    expect(suspicionBounds(5, 1000, 1, 6, 3).minMs).toBe(1000);
    // memberlist's memberlist-sized defaults: 4 x log10(1000) x 1 s = 12 s.
    expect(suspicionBounds(1000, 1000, 4, 6, 2).minMs).toBeCloseTo(12_000, 6);
    // Too few members to supply k confirmations: none are expected.
    expect(suspicionBounds(4, 1000, 1, 6, 3).expected).toBe(0);
    expect(suspicionBounds(5, 1000, 1, 6, 3).expected).toBe(3);
  });

  it('starts at max and shrinks logarithmically to min as confirmations arrive', () => {
    const bounds = { minMs: 2000, maxMs: 12_000, expected: 3 };
    const timeouts = [0, 1, 2, 3, 4, 10].map((c) => suspicionTimeoutMs(bounds, c));
    expect(timeouts[0]).toBe(12_000);
    // max - (max - min) x log(c + 1) / log(k + 1): c = 1 is half way for k = 3.
    expect(timeouts[1]).toBe(7000);
    expect(timeouts[2]).toBe(Math.floor(12_000 - (10_000 * Math.log(3)) / Math.log(4)));
    expect(timeouts[3]).toBe(2000);
    expect(timeouts[4]).toBe(2000);
    expect(timeouts[5]).toBe(2000);
    for (let i = 1; i < timeouts.length; i++) {
      expect(timeouts[i]).toBeLessThanOrEqual(timeouts[i - 1] as number);
    }
    expect(suspicionTimeoutMs({ minMs: 2000, maxMs: 12_000, expected: 0 }, 0)).toBe(2000);
  });

  it('counts each independent reporter once and moves the deadline earlier', () => {
    const suspicion = new Suspicion(10_000, id('b'), { minMs: 2000, maxMs: 12_000, expected: 3 });
    expect(suspicion.deadlineMs()).toBe(22_000);
    expect(suspicion.confirm(id('b'))).toBe(false);
    expect(suspicion.confirm(id('c'))).toBe(true);
    expect(suspicion.confirm(id('c'))).toBe(false);
    expect(suspicion.confirmations).toBe(1);
    expect(suspicion.deadlineMs()).toBe(17_000);
    suspicion.confirm(id('d'));
    suspicion.confirm(id('e'));
    expect(suspicion.deadlineMs()).toBe(12_000);
    expect(suspicion.suspecters).toEqual([id('b'), id('c'), id('d'), id('e')]);
    suspicion.postpone(5000);
    expect(suspicion.deadlineMs()).toBe(17_000);
  });
});

describe('local health multiplier', () => {
  it('stays in [0, max - 1] and stretches intervals by score + 1', () => {
    const health = new LocalHealth(8);
    expect(health.multiplier).toBe(1);
    health.apply(-3);
    expect(health.value).toBe(0);
    health.apply(3);
    expect(health.scale(500)).toBe(2000);
    health.apply(100);
    expect(health.value).toBe(7);
    expect(health.scale(1000)).toBe(8000);
    health.apply(-1);
    expect(health.multiplier).toBe(7);
    expect(() => new LocalHealth(0)).toThrow();
  });
});
