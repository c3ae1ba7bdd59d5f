import { compareIds, type AgentId } from '../base/ids';

/** What an agent can do: real browser facts plus tags it declares. */
export interface Capabilities {
  /** `navigator.hardwareConcurrency` (or the worker threads of a Node agent). */
  cores: number;
  /** `navigator.deviceMemory` in GiB, or null where the browser does not say. */
  memoryGb: number | null;
  webgpu: boolean;
  /** Declared tags, e.g. `fractal`, `gpu-fast`. */
  tags: readonly string[];
}

/**
 * A requirement: a tag the bidder must have (`webgpu` is one when the browser has WebGPU), or a
 * minimum, `cores>=N` or `memory>=N` (GiB).
 */
export type Requirement = string;

/** How much of `requires` an agent meets: 1 when it meets all (or none are asked). */
export function capabilityMatch(
  capabilities: Capabilities,
  requires: readonly Requirement[],
): number {
  if (requires.length === 0) return 1;
  let met = 0;
  for (const requirement of requires) if (meets(capabilities, requirement)) met++;
  return met / requires.length;
}

function meets(capabilities: Capabilities, requirement: Requirement): boolean {
  const minimum = /^(cores|memory)>=(\d+(?:\.\d+)?)$/.exec(requirement);
  if (minimum !== null) {
    const wanted = Number(minimum[2]);
    if (minimum[1] === 'cores') return capabilities.cores >= wanted;
    return capabilities.memoryGb !== null && capabilities.memoryGb >= wanted;
  }
  if (requirement === 'webgpu') return capabilities.webgpu;
  return capabilities.tags.includes(requirement);
}

/** One agent's bid for a task (contract net: announce, bid, award). */
export interface Bid {
  bidder: AgentId;
  /** capabilityMatch of the bidder for the task, 0-1. */
  match: number;
  /** The bidder's CPU utilisation now, 0-1. */
  utilisation: number;
  /** Tasks of this kind per second it has measured, or null when it has run none yet. */
  speed: number | null;
  /** When it would have the task done, from now: its queue plus its estimate, in ms. */
  costMs: number;
}

export interface AuctionWeights {
  match: number;
  load: number;
  speed: number;
  cost: number;
}

/** The spec's weights: capability match 0.4, load 0.3, past speed 0.2, cost 0.1. */
export const DEFAULT_AUCTION_WEIGHTS: AuctionWeights = {
  match: 0.4,
  load: 0.3,
  speed: 0.2,
  cost: 0.1,
};
/** Bidders matching less than this are not considered. */
export const DEFAULT_MATCH_THRESHOLD = 0.7;
/** Bids considered per auction at most (the smallest ids, so every agent picks alike). */
export const MAX_BIDS_PER_AUCTION = 64;
/** A bidder that has run nothing yet scores this for speed: neither best nor worst. */
const UNKNOWN_SPEED_SCORE = 0.5;

export interface AuctionOptions {
  weights?: AuctionWeights;
  matchThreshold?: number;
}

/** Why `weights` and `threshold` are unusable, or null: weights from 0 to 1 summing to 1. */
export function auctionOptionsRefusal(weights: AuctionWeights, threshold: number): string | null {
  const values = [weights.match, weights.load, weights.speed, weights.cost];
  if (values.some((w) => !Number.isFinite(w) || w < 0 || w > 1))
    return 'each weight is from 0 to 1';
  if (Math.abs(values.reduce((a, b) => a + b, 0) - 1) > 1e-9) return 'the weights sum to 1';
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1)
    return 'the match threshold is from 0 to 1';
  return null;
}

export interface ScoredBid {
  bid: Bid;
  /** Each part 0-1 before weighting, and the weighted total. */
  parts: { match: number; load: number; speed: number; cost: number };
  score: number;
}

/**
 * Scores the bids that pass the match threshold, best first (ties to the smaller id): speed
 * against the fastest bidder, cost against the cheapest, load as the idle fraction. The parts
 * are kept, so the dashboard can show why an award went where it did.
 */
export function scoreBids(bids: readonly Bid[], options: AuctionOptions = {}): ScoredBid[] {
  const weights = options.weights ?? DEFAULT_AUCTION_WEIGHTS;
  const threshold = options.matchThreshold ?? DEFAULT_MATCH_THRESHOLD;
  const refusal = auctionOptionsRefusal(weights, threshold);
  if (refusal !== null) throw new RangeError(refusal);
  const considered = [...bids]
    .filter((bid) => validBid(bid) && bid.match >= threshold)
    .sort((a, b) => compareIds(a.bidder, b.bidder))
    .slice(0, MAX_BIDS_PER_AUCTION);
  const fastest = Math.max(0, ...considered.map((bid) => bid.speed ?? 0));
  const cheapest = Math.min(...considered.map((bid) => bid.costMs));
  const scored = considered.map((bid): ScoredBid => {
    const parts = {
      match: bid.match,
      load: 1 - bid.utilisation,
      speed: bid.speed === null || fastest === 0 ? UNKNOWN_SPEED_SCORE : bid.speed / fastest,
      cost: bid.costMs === 0 ? 1 : cheapest / bid.costMs,
    };
    const score =
      weights.match * parts.match +
      weights.load * parts.load +
      weights.speed * parts.speed +
      weights.cost * parts.cost;
    return { bid, parts, score };
  });
  return scored.sort((a, b) => b.score - a.score || compareIds(a.bid.bidder, b.bid.bidder));
}

/** The winning bid, or null when no bidder passes the threshold. */
export function awardTask(bids: readonly Bid[], options: AuctionOptions = {}): ScoredBid | null {
  return scoreBids(bids, options)[0] ?? null;
}

/** A bid with every number in range (a malformed one is left out, never thrown on). */
function validBid(bid: Bid): boolean {
  const unit = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;
  return (
    unit(bid.match) &&
    unit(bid.utilisation) &&
    (bid.speed === null || (Number.isFinite(bid.speed) && bid.speed >= 0)) &&
    Number.isFinite(bid.costMs) &&
    bid.costMs >= 0
  );
}
