import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import { hasMajority } from '../quorum/majority';
import type { SwimConfig } from './config';
import type { Member, MemberTable } from './memberTable';
import type { QuorumView } from './types';

export interface Housekeeping {
  founded: boolean;
  evicted: Member[];
  forgotten: AgentId[];
}

/**
 * The agreed membership: the denominator of "do we hold a quorum?" (README, "Quorum").
 *
 * - A member joins it when an agent that holds a quorum sees it alive, or when a peer that
 *   counts it is synced with (union), unless this agent holds it dead or left.
 * - A member leaves it by a signed leave (at once, anywhere), or by eviction after it has been
 *   dead for `evictDeadAfterMs`, and only on a side that holds a quorum at that moment.
 * - A fresh agent that heard of no agreed membership within `foundAfterMs` founds one: itself
 *   and the members it knows alive.
 *
 * Reachable = agreed members alive or suspect that this agent reaches: heard within the reach
 * window, on their link or through a neighbour that heard them (core/links). So a side that is
 * cut off knows it within a window, long before anyone is declared dead there. Past
 * `fullMeshMax` reach covers two hops only, and reachable falls back to agreed members held
 * alive. A side holds a quorum with a strict majority of the agreed membership. Additions and
 * evictions need a quorum, so a minority can neither grow its membership with newcomers nor
 * shrink it by evicting the majority: both sides of a 3|2 split can never both hold one,
 * however long the split lasts.
 */
export class AgreedMembership {
  founded = false;

  constructor(
    private readonly table: MemberTable,
    private readonly config: SwimConfig,
    private readonly mode: () => 'full-mesh' | 'partial-view',
  ) {}

  /** Agreed members that count as reachable (README, "The agreed membership and the quorum"). */
  reachableCount(): number {
    return this.mode() === 'full-mesh'
      ? this.table.agreedReachedCount
      : this.table.agreedAliveCount;
  }

  hasQuorum(): boolean {
    return hasMajority(this.reachableCount(), this.table.agreedCount);
  }

  view(): QuorumView {
    return {
      reachable: this.reachableCount(),
      membershipSize: this.table.agreedCount,
      hasQuorum: this.hasQuorum(),
    };
  }

  /** A member was seen alive: it joins when this side holds a quorum. */
  onAlive(member: Member): void {
    if (!member.agreed && member.status === 'alive' && this.hasQuorum()) this.setAgreed(member);
  }

  /** A peer counts this member as agreed: adopt it unless it is dead or gone here. */
  adopt(member: Member): void {
    if (member.agreed) return;
    if (member.status !== 'alive' && member.status !== 'suspect') return;
    this.setAgreed(member);
    this.founded = true;
  }

  /** A signed leave takes the member out at once. */
  onLeft(member: Member): void {
    if (member.agreed) this.table.change(member, (m) => (m.agreed = false));
  }

  /** When a fresh agent founds a membership if it heard of none, or null once there is one. */
  foundAtMs(startedMs: Millis): Millis | null {
    if (this.table.agreedCount > 0) this.founded = true;
    return this.founded ? null : startedMs + this.config.foundAfterMs;
  }

  /** Founds a membership (itself and every member it holds alive) when it is time to. */
  maybeFound(nowMs: Millis, startedMs: Millis): boolean {
    const dueMs = this.foundAtMs(startedMs);
    if (dueMs === null || nowMs < dueMs) return false;
    this.founded = true;
    for (const member of this.table.values()) {
      if (member.status === 'alive') this.setAgreed(member);
    }
    return true;
  }

  /** Once per gossip round. */
  housekeep(nowMs: Millis, startedMs: Millis): Housekeeping {
    const result: Housekeeping = { founded: false, evicted: [], forgotten: [] };
    result.founded = this.maybeFound(nowMs, startedMs);
    // Additions happen as members turn alive and when a quorum returns (addAllAlive); only
    // dead and left members need looking at here, so a round costs O(gone), not O(N).
    const quorum = this.hasQuorum();
    for (const member of [...this.table.gone]) {
      if (
        quorum &&
        member.agreed &&
        member.status === 'dead' &&
        nowMs - member.sinceMs >= this.config.evictDeadAfterMs
      ) {
        this.table.change(member, (m) => (m.agreed = false));
        result.evicted.push(member);
      } else if (
        !member.self &&
        !member.agreed &&
        (member.status === 'dead' || member.status === 'left') &&
        nowMs - member.sinceMs >= this.config.forgetAfterMs
      ) {
        this.table.remove(member.id);
        result.forgotten.push(member.id);
      }
    }
    return result;
  }

  /** Quorum came back: every member held alive joins. */
  addAllAlive(): void {
    for (const member of this.table.values()) {
      if (!member.agreed && member.status === 'alive') this.setAgreed(member);
    }
  }

  private setAgreed(member: Member): void {
    this.table.change(member, (m) => (m.agreed = true));
  }
}
