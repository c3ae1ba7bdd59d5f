import { compareIds, type AgentId } from '../base/ids';

/** CPU-aware rebalancing: thresholds with hysteresis, so an agent near a line does not flap. */
export interface RebalanceOptions {
  /** An agent turns hot above this utilisation... */
  hotAbove: number;
  /** ...and stays hot until it falls below this one. */
  coolBelow: number;
  /** A peer below this utilisation is cold: it may take work. */
  coldBelow: number;
  /** Tasks handed over in one move at most. */
  maxPerMove: number;
}

export const DEFAULT_REBALANCE_OPTIONS: RebalanceOptions = {
  hotAbove: 0.8,
  coolBelow: 0.7,
  coldBelow: 0.3,
  maxPerMove: 8,
};

/** One agent's load as rebalancing sees it. */
export interface UtilisationLoad {
  agent: AgentId;
  /** CPU utilisation 0-1 (its workers' busy share, or the page's own when that is higher). */
  utilisation: number;
  queued: number;
  workers: number;
}

/** A move worth making and the numbers that decided it (the dashboard shows them). */
export interface RebalancePlan {
  to: AgentId;
  count: number;
  selfUtilisation: number;
  peerUtilisation: number;
}

/**
 * Whether this agent is hot now (above `hotAbove`, or still above `coolBelow` after being hot),
 * and, when it is and has more queued than its workers can start, which cold peer (below
 * `coldBelow`, the coldest first, ties to the smaller id) takes half the difference of the two
 * queues, at most `maxPerMove`. A push beside stealing: a peer that is cold by CPU but has not
 * asked (its queue looks busy with long tasks, or its loads are stale) still gets work.
 */
export function planRebalance(
  self: UtilisationLoad,
  wasHot: boolean,
  peers: readonly UtilisationLoad[],
  options: RebalanceOptions = DEFAULT_REBALANCE_OPTIONS,
): { hot: boolean; plan: RebalancePlan | null } {
  const hot = wasHot ? self.utilisation >= options.coolBelow : self.utilisation > options.hotAbove;
  if (!hot || self.queued <= Math.max(1, self.workers)) return { hot, plan: null };
  const cold = peers
    .filter(
      (p) => p.agent !== self.agent && p.utilisation < options.coldBelow && p.queued < self.queued,
    )
    .sort((a, b) => a.utilisation - b.utilisation || compareIds(a.agent, b.agent));
  const target = cold[0];
  if (target === undefined) return { hot, plan: null };
  const count = Math.min(options.maxPerMove, Math.floor((self.queued - target.queued) / 2));
  if (count < 1) return { hot, plan: null };
  return {
    hot,
    plan: {
      to: target.agent,
      count,
      selfUtilisation: self.utilisation,
      peerUtilisation: target.utilisation,
    },
  };
}
