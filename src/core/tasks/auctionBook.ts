import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { CapabilityFacts } from '../wire/taskMessages';
import {
  awardTask,
  capabilityMatch,
  scoreBids,
  type AuctionWeights,
  type Bid,
  type ScoredBid,
} from './auction';

/** A bid as it arrived: the bidder's facts, scored by the submitter. */
export interface BidFacts {
  capabilities: CapabilityFacts;
  utilisation: number;
  speed: number | null;
  queueMs: number;
  workers: number;
}

/** A task up for auction, with the owner and epoch it moves from. */
export interface AuctionedTask {
  task: number;
  from: AgentId | null;
  epoch: number;
}

/** One auction of a job's tasks (contract net: announce, bids, award). */
export interface Auction {
  auctionId: number;
  jobId: string;
  requires: string[];
  costMs: number;
  tasks: AuctionedTask[];
  /** Agents asked to bid that have not answered yet. */
  waiting: Set<AgentId>;
  bids: Map<AgentId, BidFacts>;
  announcedAtMs: Millis;
  /** From here the award goes ahead without the missing bids, if every task has a capable one. */
  awardByMs: Millis;
  /** From here it goes ahead whatever is in. */
  deadlineMs: Millis;
}

export interface AwardPlan {
  /** Winner of each task, in the auction's task order; null when no bidder is capable. */
  winners: (AgentId | null)[];
  /** The first task's scored bids, best first. */
  scored: ScoredBid[];
}

/**
 * Awards an auction's tasks one at a time to the best bid (core/tasks/auction.ts), charging
 * each winner for what it took: its utilisation grows by one task per worker and its cost by
 * the task's share of its workers, so a batch spreads over bidders instead of all going to the
 * one that was idlest when the bids were made.
 */
export function planAwards(
  auction: Auction,
  options: { weights: AuctionWeights; matchThreshold: number },
): AwardPlan {
  const bids = new Map<AgentId, Bid>();
  const workers = new Map<AgentId, number>();
  for (const [bidder, facts] of auction.bids) {
    bids.set(bidder, {
      bidder,
      match: capabilityMatch(facts.capabilities, auction.requires),
      utilisation: facts.utilisation,
      speed: facts.speed,
      costMs: facts.queueMs + auction.costMs / Math.max(1, facts.workers),
    });
    workers.set(bidder, Math.max(1, facts.workers));
  }
  const winners: (AgentId | null)[] = [];
  let scored: ScoredBid[] = [];
  for (const [i] of auction.tasks.entries()) {
    const best = awardTask([...bids.values()], {
      weights: options.weights,
      matchThreshold: options.matchThreshold,
    });
    if (i === 0) scored = scoreBids([...bids.values()], options);
    if (best === null) {
      winners.push(null);
      continue;
    }
    const winner = best.bid.bidder;
    winners.push(winner);
    const bid = bids.get(winner) as Bid;
    const share = 1 / (workers.get(winner) as number);
    bids.set(winner, {
      ...bid,
      utilisation: Math.min(1, bid.utilisation + share),
      costMs: bid.costMs + auction.costMs * share,
    });
  }
  return { winners, scored };
}
