import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../core/base/prng';
import { Network, type PathConfig } from './network';

function network(config: Partial<PathConfig> = {}, agents = 4, seed = 1): Network {
  return new Network(agents, createSeededPrng(seed), config);
}

/** Transmits `count` frames from a to b; returns the copies that arrived and their delays. */
function send(net: Network, a: number, b: number, count: number) {
  const delays: number[] = [];
  let arrived = 0;
  for (let i = 0; i < count; i++) {
    const copies = net.transmit(a, b);
    arrived += copies;
    for (let c = 0; c < copies; c++) delays.push(net.delaysMs[c] as number);
  }
  return { arrived, delays };
}

describe('Network', () => {
  it('delivers everything once with delays in [base, base + jitter) by default', () => {
    const net = network({ delay: { kind: 'uniform', baseMs: 20, jitterMs: 10 } });
    const { arrived, delays } = send(net, 0, 1, 5000);
    expect(arrived).toBe(5000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...delays)).toBeLessThan(30);
    // Jitter is spread, which is what reorders frames.
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(9);
    expect(net.stats).toMatchObject({ sent: 5000, duplicated: 0 });
  });

  it('loses frames at the configured rate and counts them', () => {
    const net = network({ lossRate: 0.2 });
    const { arrived } = send(net, 0, 1, 20_000);
    expect(arrived / 20_000).toBeGreaterThan(0.78);
    expect(arrived / 20_000).toBeLessThan(0.82);
    expect(net.stats.dropped.loss).toBe(20_000 - arrived);
    expect(net.lastDrop).toBe('loss');
  });

  it('duplicates frames at the configured rate, each copy with its own delay', () => {
    const net = network({ duplicateRate: 0.3 });
    let twice = 0;
    let differentDelays = 0;
    for (let i = 0; i < 10_000; i++) {
      if (net.transmit(2, 3) === 2) {
        twice++;
        if (net.delaysMs[0] !== net.delaysMs[1]) differentDelays++;
      }
    }
    expect(twice / 10_000).toBeGreaterThan(0.28);
    expect(twice / 10_000).toBeLessThan(0.32);
    expect(net.stats.duplicated).toBe(twice);
    expect(differentDelays).toBe(twice);
  });

  it('holds back frames by up to reorderExtraMs at the reorder rate', () => {
    const net = network({
      delay: { kind: 'uniform', baseMs: 10, jitterMs: 0 },
      reorderRate: 0.25,
      reorderExtraMs: 100,
    });
    const { delays } = send(net, 0, 1, 10_000);
    const held = delays.filter((d) => d > 10);
    expect(held.length / 10_000).toBeGreaterThan(0.23);
    expect(held.length / 10_000).toBeLessThan(0.27);
    expect(Math.max(...held)).toBeLessThan(110);
    expect(Math.max(...held)).toBeGreaterThan(100);
  });

  it('draws lognormal delays around the median', () => {
    const net = network({ delay: { kind: 'lognormal', medianMs: 40, sigma: 0.5 } });
    const { delays } = send(net, 0, 1, 20_001);
    delays.sort((x, y) => x - y);
    expect(delays[10_000]).toBeGreaterThan(38);
    expect(delays[10_000]).toBeLessThan(42);
    expect(Math.min(...delays)).toBeGreaterThan(0);
  });

  it('blocks both directions across a partition and none within a group', () => {
    const net = network({}, 6);
    net.partition([[0, 1], [2]]);
    // Agents 3, 4, 5 were not named: they form one more group together.
    const reach = (a: number, b: number) => net.transmit(a, b) > 0;
    expect([reach(0, 1), reach(1, 0), reach(3, 5), reach(4, 3)]).toEqual([true, true, true, true]);
    expect([reach(0, 2), reach(2, 0), reach(1, 3), reach(5, 2), reach(2, 4)]).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(net.stats.dropped.partition).toBe(5);
    net.healPartition();
    expect(reach(0, 2) && reach(2, 5)).toBe(true);
  });

  it('a one-way cut blocks one direction only, and cuts stack', () => {
    const net = network();
    net.cut(0, 1);
    net.cut(0, 1);
    expect(net.blocked(0, 1)).toBe('cut');
    expect(net.blocked(1, 0)).toBeNull();
    expect(net.transmit(0, 1)).toBe(0);
    expect(net.stats.dropped.cut).toBe(1);
    net.restore(0, 1);
    expect(net.blocked(0, 1)).toBe('cut');
    net.restore(0, 1);
    expect(net.blocked(0, 1)).toBeNull();
    net.cut(2, 3);
    net.clearCuts();
    expect(net.blocked(2, 3)).toBeNull();
    expect(net.controlDelayMs(0, 1)).toBeGreaterThanOrEqual(10);
    net.cut(0, 1);
    expect(net.controlDelayMs(0, 1)).toBe(-1);
  });

  it('per-path overrides apply to that path only, both ways unless one-way', () => {
    const net = network({ delay: { kind: 'uniform', baseMs: 10, jitterMs: 0 } });
    net.setOverride(0, 1, { lossRate: 1 });
    net.setOverride(2, 3, { delay: { kind: 'uniform', baseMs: 500, jitterMs: 0 } }, true);
    expect(net.transmit(0, 1)).toBe(0);
    expect(net.transmit(1, 0)).toBe(0);
    expect(net.transmit(0, 2)).toBe(1);
    expect(net.transmit(2, 3) === 1 && net.delaysMs[0] === 500).toBe(true);
    expect(net.transmit(3, 2) === 1 && net.delaysMs[0] === 10).toBe(true);
    net.clearOverride(0, 1);
    expect(net.transmit(0, 1)).toBe(1);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const net = network({ lossRate: 0.1, duplicateRate: 0.1, reorderRate: 0.1 }, 4, seed);
      return send(net, 0, 1, 500).delays;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('rejects nonsense settings', () => {
    expect(() => network({ lossRate: 1.5 })).toThrow(RangeError);
    expect(() => network({ duplicateRate: -0.1 })).toThrow(RangeError);
    expect(() => network({ delay: { kind: 'uniform', baseMs: -1, jitterMs: 0 } })).toThrow(
      RangeError,
    );
    expect(() => network({ delay: { kind: 'lognormal', medianMs: 0, sigma: 1 } })).toThrow(
      RangeError,
    );
    expect(() => network().cut(0, 9)).toThrow(RangeError);
  });
});
