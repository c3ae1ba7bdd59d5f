import { compareIds, shortId, type AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import { MAX_REACH_AGE_MS, REACH_NOT_HEARD } from '../wire/messages';
import type { LinksEffect, ReachVia } from './types';

/** The reached set's mark for an agent heard on its own link. */
const DIRECT = Number.POSITIVE_INFINITY;

/**
 * When a neighbour's evidence of an agent it heard `ageMs` before its report expires. One
 * expression, in one order, for the evaluation and the witness search: times are fractional,
 * and the witness is found by comparing the two exactly.
 */
function evidenceExpiry(
  n: ReachEvidence,
  ageMs: number,
  windowMs: number,
  hopGraceMs: number,
): Millis {
  return n.reportAtMs - ageMs + windowMs + hopGraceMs;
}

/** What the tracker reads of one neighbour. */
export interface ReachEvidence {
  lastHeardMs: Millis;
  /** The peers of the advert the neighbour's last reach report followed, in its order. */
  reportPeers: readonly AgentId[];
  /** Ages from that report (one per link), or null before any. */
  reportAgesMs: readonly number[] | null;
  reportAtMs: Millis;
}

/**
 * Which agents this one reaches: those heard within `windowMs`, on their own link or through a
 * neighbour that heard them (its reach report, one hop). Evidence only ages: a report states how
 * long ago the neighbour heard each of its links, and carries only what it heard on its own
 * links, so neighbours vouching for each other cannot keep a silent agent reached (no count to
 * infinity). Evidence through a neighbour gets `hopGraceMs` more, for the one ping gap it waited
 * to be reported; without it agents two hops away would drop out of reach and back. A side cut
 * off from the rest stops being reached by it one window (plus that grace for the far agents it
 * knew of through its own side) after the cut, long before anyone is declared dead.
 */
export class ReachTracker {
  /**
   * Reached agents with the expiry of their freshest evidence through a neighbour, or DIRECT
   * for those heard on their own link. One map per evaluation and no record per agent: this
   * runs about once a second for every agent of a simulation.
   */
  private reached = new Map<AgentId, Millis>();
  /** When the set can next change by evidence expiring, or a report be worth reading; null: idle. */
  nextCheckMs: Millis | null = null;

  constructor(
    private readonly selfId: AgentId,
    private readonly windowMs: number,
    /** Reports can only add reach; they are read at least this often. */
    private readonly recheckMs: number,
    /** Extra age allowed to evidence that came through a neighbour (about one ping gap). */
    private readonly hopGraceMs: number,
  ) {}

  has(peer: AgentId): boolean {
    return this.reached.has(peer);
  }

  /** Recomputes the reached set; pushes a reach-gained or reach-lost event per change. */
  evaluate(
    nowMs: Millis,
    neighbours: ReadonlyMap<AgentId, ReachEvidence>,
    effects: LinksEffect[],
  ): void {
    const windowMs = this.windowMs;
    const next = new Map<AgentId, Millis>();
    let earliestMs = Number.POSITIVE_INFINITY;
    for (const [peer, n] of neighbours) {
      const expiresAtMs = n.lastHeardMs + windowMs;
      if (nowMs >= expiresAtMs) continue;
      next.set(peer, DIRECT);
      if (expiresAtMs < earliestMs) earliestMs = expiresAtMs;
    }
    // Through neighbours: the freshest evidence per agent. A direct entry never gives way, as
    // nothing expires after DIRECT.
    let indirect = false;
    for (const n of neighbours.values()) {
      const ages = n.reportAgesMs;
      if (ages === null) continue;
      const peers = n.reportPeers;
      for (let i = 0; i < ages.length; i++) {
        const age = ages[i] as number;
        if (age === REACH_NOT_HEARD) continue;
        const expiresAtMs = evidenceExpiry(n, age, windowMs, this.hopGraceMs);
        if (nowMs >= expiresAtMs) continue;
        const peer = peers[i] as AgentId;
        if (peer === this.selfId) continue;
        const best = next.get(peer);
        if (best === undefined || expiresAtMs > best) {
          next.set(peer, expiresAtMs);
          indirect = true;
        }
      }
    }
    if (indirect) {
      for (const expiresAtMs of next.values()) {
        if (expiresAtMs < earliestMs) earliestMs = expiresAtMs;
      }
    }
    for (const peer of this.reached.keys()) {
      if (next.has(peer)) continue;
      effects.push({
        kind: 'event',
        event: {
          type: 'reach-lost',
          peer,
          reason: `not heard for ${windowMs / 1000} s, directly or through any neighbour`,
        },
      });
    }
    for (const [peer, expiresAtMs] of next) {
      // New, or heard another way now (its link went quiet but a neighbour still hears it).
      const was = this.reached.get(peer);
      if (was !== undefined && (was === DIRECT) === (expiresAtMs === DIRECT)) continue;
      if (expiresAtMs === DIRECT) {
        effects.push({
          kind: 'event',
          event: { type: 'reach-gained', peer, via: 'direct', reason: 'heard on its link' },
        });
        continue;
      }
      const through = this.bestWitness(peer, expiresAtMs, neighbours);
      effects.push({
        kind: 'event',
        event: {
          type: 'reach-gained',
          peer,
          via: 'indirect',
          reason: through === null ? 'heard on its link' : `heard through ${shortId(through)}`,
        },
      });
    }
    this.reached = next;
    // Evidence only comes from neighbours: with none, nothing can change until a link comes.
    this.nextCheckMs = neighbours.size === 0 ? null : Math.min(nowMs + this.recheckMs, earliestMs);
  }

  /** The first neighbour whose report gives `peer` evidence lasting until `expiresAtMs`. */
  private bestWitness(
    peer: AgentId,
    expiresAtMs: Millis,
    neighbours: ReadonlyMap<AgentId, ReachEvidence>,
  ): AgentId | null {
    for (const [from, n] of neighbours) {
      const ages = n.reportAgesMs;
      if (ages === null) continue;
      for (let i = 0; i < ages.length; i++) {
        const age = ages[i] as number;
        if (age === REACH_NOT_HEARD) continue;
        if (evidenceExpiry(n, age, this.windowMs, this.hopGraceMs) !== expiresAtMs) continue;
        if (n.reportPeers[i] === peer) return from;
      }
    }
    return null;
  }

  /**
   * This agent's reach report for its neighbours: how long ago it heard each link of its last
   * advert (`advertPeers`, in order), REACH_NOT_HEARD for one gone or silent longer than
   * `reachWindowMs`.
   */
  report(
    nowMs: Millis,
    advertPeers: readonly AgentId[],
    neighbours: ReadonlyMap<AgentId, ReachEvidence>,
  ): number[] {
    const ages: number[] = [];
    for (const peer of advertPeers) {
      const n = neighbours.get(peer);
      const ageMs =
        n === undefined ? REACH_NOT_HEARD : Math.max(0, Math.ceil(nowMs - n.lastHeardMs));
      ages.push(ageMs < this.windowMs && ageMs <= MAX_REACH_AGE_MS ? ageMs : REACH_NOT_HEARD);
    }
    return ages;
  }

  snapshot(): { peer: AgentId; via: ReachVia }[] {
    return [...this.reached]
      .map(([peer, expiresAtMs]): { peer: AgentId; via: ReachVia } => ({
        peer,
        via: expiresAtMs === DIRECT ? 'direct' : 'indirect',
      }))
      .sort((a, b) => compareIds(a.peer, b.peer));
  }
}
