import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import { fixedId } from '../base/testSupport';
import {
  awardTask,
  capabilityMatch,
  DEFAULT_AUCTION_WEIGHTS,
  MAX_BIDS_PER_AUCTION,
  scoreBids,
  type Bid,
  type Capabilities,
} from './auction';

const laptop: Capabilities = { cores: 8, memoryGb: 8, webgpu: true, tags: ['fractal'] };
const phone: Capabilities = { cores: 4, memoryGb: null, webgpu: false, tags: [] };

/** The winner the slow way: the spec's formula written out, every bid against every other. */
function naiveWinner(bids: readonly Bid[], threshold = 0.7): AgentId | null {
  const eligible = bids.filter((b) => b.match >= threshold);
  let best: { score: number; bidder: AgentId } | null = null;
  for (const bid of eligible) {
    const fastest = Math.max(0, ...eligible.map((b) => b.speed ?? 0));
    const cheapest = Math.min(...eligible.map((b) => b.costMs));
    const speed = bid.speed === null || fastest === 0 ? 0.5 : bid.speed / fastest;
    const cost = bid.costMs === 0 ? 1 : cheapest / bid.costMs;
    const score = 0.4 * bid.match + 0.3 * (1 - bid.utilisation) + 0.2 * speed + 0.1 * cost;
    if (best === null || score > best.score || (score === best.score && bid.bidder < best.bidder))
      best = { score, bidder: bid.bidder };
  }
  return best?.bidder ?? null;
}

function randomBids(seed: number, count: number): Bid[] {
  const prng = createSeededPrng(seed);
  return Array.from({ length: count }, (_, i) => ({
    bidder: fixedId('0123456789abcdef'[i % 16] as string).replace(/^./, String(i % 10)) as AgentId,
    match: [0.5, 0.75, 1][prng.nextInt(3)] as number,
    utilisation: prng.nextFloat(),
    speed: prng.nextInt(4) === 0 ? null : prng.nextFloat() * 50,
    costMs: prng.nextFloat() * 2000,
  }));
}

describe('auction', () => {
  it('matches capabilities: tags, WebGPU and minimums of cores and memory', () => {
    expect(capabilityMatch(laptop, [])).toBe(1);
    expect(capabilityMatch(laptop, ['webgpu', 'cores>=8', 'memory>=4', 'fractal'])).toBe(1);
    expect(capabilityMatch(phone, ['webgpu', 'cores>=2'])).toBe(0.5);
    // A browser that does not tell its memory meets no memory minimum.
    expect(capabilityMatch(phone, ['memory>=1'])).toBe(0);
    expect(capabilityMatch(phone, ['fractal', 'cores>=4.5'])).toBe(0);
  });

  it('awards the bid the spec formula ranks first, over many random auctions', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const bids = randomBids(seed, 1 + (seed % 8));
      expect(awardTask(bids)?.bid.bidder ?? null).toBe(naiveWinner(bids));
    }
  });

  it('leaves out bidders below the match threshold, and says why the winner won', () => {
    const bids: Bid[] = [
      { bidder: fixedId('a'), match: 0.5, utilisation: 0, speed: 100, costMs: 1 },
      { bidder: fixedId('b'), match: 1, utilisation: 0.5, speed: 10, costMs: 100 },
      { bidder: fixedId('c'), match: 1, utilisation: 0.9, speed: 20, costMs: 50 },
    ];
    const scored = scoreBids(bids);
    // c is busier but the fastest and cheapest of the two that qualify.
    expect(scored.map((s) => s.bid.bidder)).toEqual([fixedId('c'), fixedId('b')]);
    expect(scored[1]!.parts).toEqual({ match: 1, load: 0.5, speed: 0.5, cost: 0.5 });
    expect(scored[1]!.score).toBeCloseTo(0.4 + 0.15 + 0.1 + 0.05, 12);
    expect(scored[0]!.score).toBeCloseTo(0.4 + 0.03 + 0.2 + 0.1, 12);
    expect(awardTask(bids, { matchThreshold: 0.4 })?.bid.bidder).toBe(fixedId('a'));
    expect(awardTask(bids.slice(0, 1))).toBeNull();
  });

  it('takes other weights, refuses ones that do not sum to 1, and ignores malformed bids', () => {
    const bids: Bid[] = [
      { bidder: fixedId('a'), match: 1, utilisation: 0.9, speed: 50, costMs: 400 },
      { bidder: fixedId('b'), match: 1, utilisation: 0, speed: 5, costMs: 500 },
      { bidder: fixedId('c'), match: Number.NaN, utilisation: 0, speed: 1000, costMs: 0 },
    ];
    expect(awardTask(bids)?.bid.bidder).toBe(fixedId('b'));
    const speedFirst = { match: 0.1, load: 0.1, speed: 0.7, cost: 0.1 };
    expect(awardTask(bids, { weights: speedFirst })?.bid.bidder).toBe(fixedId('a'));
    expect(() => scoreBids(bids, { weights: { ...DEFAULT_AUCTION_WEIGHTS, cost: 0.5 } })).toThrow(
      'the weights sum to 1',
    );
  });

  it('ties go to the smaller id, and at most MAX_BIDS_PER_AUCTION bids count', () => {
    const same = (digit: string): Bid => ({
      bidder: fixedId(digit),
      match: 1,
      utilisation: 0.2,
      speed: 3,
      costMs: 40,
    });
    expect(awardTask([same('c'), same('a'), same('b')])?.bid.bidder).toBe(fixedId('a'));
    const many = Array.from({ length: 100 }, (_, i) => ({
      ...same('a'),
      bidder: i.toString(16).padStart(64, '0') as AgentId,
    }));
    expect(scoreBids(many)).toHaveLength(MAX_BIDS_PER_AUCTION);
  });
});
