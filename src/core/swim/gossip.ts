import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { MembershipFact, SwimFact } from '../wire/swimMessages';
import { membershipFactOf } from './memberTable';
import type { SwimState } from './swimState';

/**
 * Infection-style dissemination (SWIM §4.1): which queued facts ride on each message, the
 * gossip push of a round, and forwarding news on arrival under a token bucket.
 */
export class Gossip {
  private forwardTokens = 0;
  private tokensAtMs: Millis = 0;

  constructor(private readonly s: SwimState) {}

  /** The token bucket starts full when the agent starts. */
  start(nowMs: Millis): void {
    this.forwardTokens = this.s.config.forwardBurst;
    this.tokensAtMs = nowMs;
  }

  /**
   * Sends per fact: retransmitMult x ceil(log10(N + 1)) (memberlist), the SWIM bound for gossip
   * to members picked from the whole group. In a partial view gossip only reaches the active
   * view, so past one send per neighbour plus a fan-out more sends only repeat themselves;
   * anti-entropy catches whoever they missed.
   */
  retransmitLimit(): number {
    const s = this.s;
    const n = s.table.liveCount;
    const swim = Math.ceil(s.config.retransmitMult * Math.ceil(Math.log10(n + 1)));
    if (s.view.mode === 'full-mesh') return swim;
    return Math.max(1, Math.min(swim, s.links.size + s.config.gossipFanout));
  }

  /**
   * Facts for one message to `to`: first what this agent holds about `to` when that is a
   * suspicion or death (Lifeguard's buddy system: the subject learns of it at once and can
   * refute), then the least-sent queued facts.
   */
  factsFor(to: AgentId, first: SwimFact | null = null): SwimFact[] {
    const s = this.s;
    const max = s.config.maxFactsPerMessage;
    if (max === 0) return first === null ? [] : [first];
    const facts: SwimFact[] = first === null ? [] : [first];
    // The common case in a quiet mesh: nothing queued and nobody suspect or dead, so nothing to
    // tell anyone. Decided without looking `to` up: a lookup in a large table is a cache miss.
    if (s.queue.size === 0 && s.suspects.size === 0 && s.table.deadCount === 0) return facts;
    const member = s.table.get(to);
    if (s.queue.size === 0 && (member === undefined || member.status === 'alive')) return facts;
    let buddy: MembershipFact | null = null;
    if (member !== undefined && (member.status === 'suspect' || member.status === 'dead')) {
      buddy = membershipFactOf(member);
      if (buddy !== null) facts.push(buddy);
    }
    // A member is not told its own statements back; its suspicion or death it is told first.
    const skip = (fact: SwimFact) =>
      fact.subject === to
        ? (fact.kind !== 'suspect' && fact.kind !== 'dead') || buddy !== null
        : fact === first;
    const queued = s.queue.take(max - facts.length, this.retransmitLimit(), skip);
    for (const fact of queued) facts.push(fact);
    return facts;
  }

  sendGossip(to: AgentId, first: SwimFact | null = null): void {
    const facts = this.factsFor(to, first);
    if (facts.length > 0) this.s.send(to, { type: 'swim-gossip', facts });
  }

  /** Forwards news at once to a few random neighbours (bounded by a token bucket). */
  forward(except: AgentId | null): void {
    const s = this.s;
    if (!s.config.forwardOnArrival) return;
    const { forwardBurst, forwardRatePerSecond, gossipFanout } = s.config;
    this.forwardTokens = Math.min(
      forwardBurst,
      this.forwardTokens + ((s.nowMs - this.tokensAtMs) * forwardRatePerSecond) / 1000,
    );
    this.tokensAtMs = s.nowMs;
    for (const peer of s.randomLinks(gossipFanout, except)) {
      if (this.forwardTokens < 1) {
        s.stats.forwardsSkippedRate++;
        return;
      }
      this.forwardTokens -= 1;
      this.sendGossip(peer);
    }
  }

  /** The round's push: queued facts to `gossipFanout` random neighbours. */
  push(): void {
    const s = this.s;
    if (s.queue.size > 0) {
      for (const peer of s.randomLinks(s.config.gossipFanout, null)) this.sendGossip(peer);
    }
  }
}
