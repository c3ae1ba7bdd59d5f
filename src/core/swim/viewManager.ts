import type { AgentId } from '../base/ids';
import { shuffleInPlace, type Prng } from '../base/prng';
import type { Millis } from '../base/time';
import type { SwimConfig } from './config';
import type { Member } from './memberTable';

export type ViewMode = 'full-mesh' | 'partial-view';

/** What the view manager needs to know of the protocol around it. */
export interface ViewHost {
  readonly config: SwimConfig;
  readonly prng: Prng;
  /** Linked members, in the order their links came up (oldest first). */
  readonly links: ReadonlySet<AgentId>;
  isAlive(peer: AgentId): boolean;
  /** Linked members known dead or left (their links are on their way out). */
  goneLinkCount(): number;
  randomMember(): Member | undefined;
  /** Alive members without a link; only called in full-mesh mode (small tables). */
  unlinkedAlive(): AgentId[];
  /** A link not to drop now (the member being probed). */
  busyLink(): AgentId | null;
}

export interface ViewDecision {
  connect: AgentId[];
  drop: AgentId[];
}

/** Random picks tried per promotion before giving up until the next round. */
const PROMOTION_TRIES = 8;
/** Links dropped per gossip round at most when the active view is over twice its target. */
export const MAX_TRIMS_PER_ROUND = 2;

/**
 * Which members this agent keeps links to. Up to `fullMeshMax` live members: all of them, and
 * a lost link is asked for again one member per gossip round. Past it, a HyParView-like partial
 * view (Leitão et al. 2007, §4): an active view of ceil(ln N) + c linked members, refilled from
 * the passive view (known alive members without a link) when a link is lost or the view is
 * short, and trimmed when incoming links push it past twice its target. Membership knowledge
 * stays complete (SWIM gossips every member to everyone); only links are partial.
 */
export class ViewManager {
  mode: ViewMode = 'full-mesh';
  /** Links asked for and not yet up: peer -> when to give up. */
  private readonly pending = new Map<AgentId, Millis>();
  private retryRound: AgentId[] = [];
  /** Links a full mesh may still ask for this gossip round. */
  private connectBudget: number;

  constructor(private readonly host: ViewHost) {
    this.connectBudget = host.config.connectsPerRound;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Switches mode with a little hysteresis; returns true when it changed. */
  updateMode(liveCount: number): boolean {
    const max = this.host.config.fullMeshMax;
    const hysteresis = Math.max(1, Math.floor(max / 8));
    if (this.mode === 'full-mesh' && liveCount > max) {
      this.mode = 'partial-view';
      return true;
    }
    if (this.mode === 'partial-view' && liveCount <= max - hysteresis) {
      this.mode = 'full-mesh';
      return true;
    }
    return false;
  }

  activeTarget(liveCount: number): number {
    const { activeViewExtra, activeViewMin, activeViewMax } = this.host.config;
    const target = Math.ceil(Math.log(Math.max(2, liveCount))) + activeViewExtra;
    return Math.min(activeViewMax, Math.max(activeViewMin, target));
  }

  /**
   * A member was learned alive: in a full mesh, ask for a link to it right away, within the
   * round's budget. Agents that start together learn of each other one by one before they know
   * how many they are; the budget keeps a cold start of a thousand from becoming a full mesh
   * that the partial view then has to trim. Members over budget are linked in later rounds.
   */
  connectOnDiscovery(peer: AgentId, nowMs: Millis): boolean {
    if (this.mode !== 'full-mesh' || this.host.links.has(peer) || this.isPending(peer, nowMs)) {
      return false;
    }
    if (this.connectBudget <= 0) return false;
    if (this.host.links.size + this.pending.size >= this.host.config.fullMeshMax) return false;
    this.connectBudget--;
    this.pending.set(peer, nowMs + this.host.config.promoteTimeoutMs);
    return true;
  }

  onLinkUp(peer: AgentId): void {
    this.pending.delete(peer);
  }

  /** A link was lost: in a partial view, promote a passive member at once. */
  onLinkDown(nowMs: Millis, liveCount: number): AgentId[] {
    if (this.mode !== 'partial-view') return [];
    const short = this.activeTarget(liveCount) - this.activeSize() - this.pending.size;
    return short > 0 ? this.promote(1, nowMs) : [];
  }

  /** Once per gossip round: fill the view, ask again for lost links, trim an overfull view. */
  maintain(nowMs: Millis, liveCount: number): ViewDecision {
    for (const [peer, giveUpAtMs] of this.pending) {
      if (nowMs >= giveUpAtMs || this.host.links.has(peer)) this.pending.delete(peer);
    }
    if (this.mode === 'full-mesh') {
      this.connectBudget = this.host.config.connectsPerRound;
      const connect: AgentId[] = [];
      while (this.connectBudget > 0) {
        const peer = this.retryOne(nowMs);
        if (peer === null) break;
        connect.push(peer);
        this.connectBudget--;
      }
      return { connect, drop: [] };
    }
    const target = this.activeTarget(liveCount);
    const short = target - this.activeSize() - this.pending.size;
    const connect = short > 0 ? this.promote(short, nowMs) : [];
    const drop: AgentId[] = [];
    // Trimmed gently, a couple of links per round: the peers that lose one may promote another.
    const excess = Math.min(MAX_TRIMS_PER_ROUND, this.host.links.size - 2 * target);
    if (excess > 0) {
      // The newest link is kept: it is most likely a member that is short of links itself; so
      // is the one being probed, whose probe would otherwise fail for want of its link.
      const links = [...this.host.links];
      links.pop();
      const busy = this.host.busyLink();
      const candidates = links.filter((peer) => peer !== busy);
      drop.push(...shuffleInPlace(candidates, this.host.prng).slice(0, excess));
    }
    return { connect, drop };
  }

  /** Forgets a pending request for a member that died or left. */
  forget(peer: AgentId): void {
    this.pending.delete(peer);
  }

  private isPending(peer: AgentId, nowMs: Millis): boolean {
    const giveUpAtMs = this.pending.get(peer);
    return giveUpAtMs !== undefined && nowMs < giveUpAtMs;
  }

  /**
   * Links that count towards the active view: all but those to members known gone. A link to a
   * member not yet known (its statement is still on the way) counts: at start every link is one.
   */
  private activeSize(): number {
    return this.host.links.size - this.host.goneLinkCount();
  }

  /** Full mesh: the next alive member without a link, in a shuffled round robin. */
  private retryOne(nowMs: Millis): AgentId | null {
    for (let refilled = false; ;) {
      const peer = this.retryRound.pop();
      if (peer === undefined) {
        if (refilled) return null;
        refilled = true;
        this.retryRound = shuffleInPlace(this.host.unlinkedAlive(), this.host.prng);
        continue;
      }
      if (this.host.links.has(peer) || !this.host.isAlive(peer) || this.isPending(peer, nowMs)) {
        continue;
      }
      if (this.host.links.size + this.pending.size >= this.host.config.fullMeshMax) return null;
      this.pending.set(peer, nowMs + this.host.config.promoteTimeoutMs);
      return peer;
    }
  }

  /** Picks up to `count` random passive members (alive, no link, not asked already). */
  private promote(count: number, nowMs: Millis): AgentId[] {
    const chosen: AgentId[] = [];
    for (let tries = 0; tries < PROMOTION_TRIES * count && chosen.length < count; tries++) {
      const member = this.host.randomMember();
      if (member === undefined) break;
      const peer = member.id;
      if (member.self || member.status !== 'alive' || this.host.links.has(peer)) continue;
      if (this.isPending(peer, nowMs) || chosen.includes(peer)) continue;
      chosen.push(peer);
      this.pending.set(peer, nowMs + this.host.config.promoteTimeoutMs);
    }
    return chosen;
  }
}
