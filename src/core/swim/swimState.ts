import type { AgentId } from '../base/ids';
import type { StringInterner } from '../base/interner';
import type { Prng } from '../base/prng';
import type { Millis } from '../base/time';
import type { SwimFact, SwimMessage } from '../wire/swimMessages';
import { resolveSwimConfig, type SwimConfig, type SwimOverrides } from './config';
import { DisseminationQueue } from './disseminationQueue';
import { LocalHealth } from './localHealth';
import { MemberTable, type Member } from './memberTable';
import { Prober, type ProberHost } from './prober';
import { PushPull } from './pushPull';
import { AgreedMembership } from './quorum';
import type { ReachVia, SwimEffect, SwimEvent, SwimStats } from './types';
import { ViewManager, type ViewHost } from './viewManager';

/** What the prober needs from the parts built on top of the state (late-bound). */
export interface ProbeOutcomes {
  /** Facts to piggyback on a probe, ack, probe request or nack to `to`. */
  factsFor(to: AgentId): SwimFact[];
  /** A probe of `target` at `incarnation` got no ack, directly nor indirectly. */
  probeFailed(target: AgentId, incarnation: number, detail: string): void;
}

/** The counter of each message type that carries facts (anti-entropy counts its own). */
const SENT_COUNTERS: Partial<Record<SwimMessage['type'], keyof SwimStats>> = {
  'swim-probe': 'probesSent',
  'swim-ack': 'acksSent',
  'swim-probe-req': 'probeRequestsSent',
  'swim-nack': 'nacksSent',
  'swim-gossip': 'gossipSent',
};

function emptyStats(): SwimStats {
  return {
    probesSent: 0,
    acksSent: 0,
    probeRequestsSent: 0,
    nacksSent: 0,
    relayedProbesSent: 0,
    gossipSent: 0,
    digestsSent: 0,
    summariesSent: 0,
    statePagesSent: 0,
    factsSent: 0,
    factsReceived: 0,
    factsNew: 0,
    forwardsSkippedRate: 0,
    signRequests: 0,
    membersRefused: 0,
    queueDropped: 0,
  };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The state every part of the membership protocol shares: the member table and its helpers,
 * the links, the suspects, the clock of the current step, and the effect list the step fills.
 * Also the glue the prober and the view manager are built on (which members they may probe or
 * link to). The parts (facts, gossip, anti-entropy, publishing) hold a reference to it.
 */
export class SwimState {
  readonly config: SwimConfig;
  readonly stats: SwimStats = emptyStats();
  readonly table = new MemberTable();
  readonly self: Member;
  readonly queue: DisseminationQueue;
  readonly health: LocalHealth;
  readonly prober: Prober;
  readonly view: ViewManager;
  readonly pushPull: PushPull;
  readonly agreed: AgreedMembership;
  /** Linked members, oldest link first. */
  readonly links = new Set<AgentId>();
  /**
   * Agents the links protocol reaches (heard within its window, directly or through a
   * neighbour), members or not yet: a member learned of later starts with what is known here.
   */
  readonly reached = new Map<AgentId, ReachVia>();
  readonly suspects = new Set<Member>();
  /** Where the current step's effects go. */
  effects: SwimEffect[] = [];
  nowMs: Millis = 0;
  startedMs: Millis | null = null;
  leaving = false;
  /** Members that became alive during this step, to link to once the step is done. */
  discovered: AgentId[] = [];

  constructor(
    selfId: AgentId,
    readonly prng: Prng,
    overrides: SwimOverrides,
    private readonly outcomes: ProbeOutcomes,
    /** Gives texts kept per member (reasons) a copy shared with other agents. */
    readonly interner: StringInterner,
  ) {
    this.config = resolveSwimConfig(selfId, overrides);
    this.queue = new DisseminationQueue(this.config.maxQueuedFacts);
    this.health = new LocalHealth(this.config.localHealthMax);
    this.self = this.table.add({
      id: selfId,
      self: true,
      status: 'alive',
      incarnation: 0,
      signature: null,
      by: null,
      sinceMs: 0,
      reason: 'this agent',
      suspicion: null,
      agreed: false,
      reached: true,
      heardDirectly: true,
      load: null,
      app: null,
      appVersionSum: 0,
    });
    this.prober = new Prober(this.proberHost());
    this.view = new ViewManager(this.viewHost());
    this.pushPull = new PushPull(this.config.maxSyncPagesPerRound);
    this.agreed = new AgreedMembership(this.table, this.config, () => this.view.mode);
  }

  /**
   * Linked members are probed directly. In a full mesh a member without a link is probed too
   * (indirectly: that is how a partition shows), but only once it has had `promoteTimeoutMs`
   * to get its link: a member just learned of has none yet, and its neighbours may not either.
   */
  canProbe(peer: AgentId): boolean {
    if (this.links.has(peer)) return true;
    if (this.view.mode !== 'full-mesh') return false;
    const member = this.table.get(peer);
    return member !== undefined && this.nowMs - member.sinceMs >= this.config.promoteTimeoutMs;
  }

  isRoundCandidate(peer: AgentId): boolean {
    const m = this.table.get(peer);
    return (
      m !== undefined &&
      !m.self &&
      (m.status === 'alive' || m.status === 'suspect') &&
      this.canProbe(peer)
    );
  }

  /** Up to `count` distinct random linked members other than `except`. */
  randomLinks(count: number, except: AgentId | null): AgentId[] {
    const pool: AgentId[] = [];
    for (const peer of this.links) if (peer !== except) pool.push(peer);
    const chosen: AgentId[] = [];
    for (let i = 0; i < count && pool.length > 0; i++) {
      const at = this.prng.nextInt(pool.length);
      chosen.push(pool[at] as AgentId);
      pool[at] = pool[pool.length - 1] as AgentId;
      pool.pop();
    }
    return chosen;
  }

  send(to: AgentId, msg: SwimMessage): void {
    const counter = SENT_COUNTERS[msg.type];
    if (counter !== undefined) {
      this.stats[counter]++;
      this.stats.factsSent += (msg as { facts: readonly SwimFact[] }).facts.length;
    }
    this.effects.push({ kind: 'send', to, msg });
  }

  emit(event: SwimEvent): void {
    this.effects.push({ kind: 'event', event });
  }

  private proberHost(): ProberHost {
    const outcomes = this.outcomes;
    return {
      config: this.config,
      prng: this.prng,
      health: this.health,
      isLinked: (peer) => this.links.has(peer),
      isProbeable: (peer) => {
        const status = this.table.get(peer)?.status;
        return peer !== this.config.selfId && (status === 'alive' || status === 'suspect');
      },
      isRoundCandidate: (peer) => this.isRoundCandidate(peer),
      roundCandidates: () => {
        if (this.view.mode === 'partial-view') {
          return [...this.links].filter((peer) => this.isRoundCandidate(peer));
        }
        const ids: AgentId[] = [];
        for (const m of this.table.values()) {
          if (!m.self && (m.status === 'alive' || m.status === 'suspect')) ids.push(m.id);
        }
        return ids;
      },
      relayCandidates: (target) =>
        [...this.links].filter(
          (peer) => peer !== target && this.table.get(peer)?.status === 'alive',
        ),
      incarnationOf: (peer) => this.table.get(peer)?.incarnation ?? 0,
      sendProbe: (to, seq, relayed) => {
        if (relayed) this.stats.relayedProbesSent++;
        this.send(to, { type: 'swim-probe', seq, facts: outcomes.factsFor(to) });
      },
      sendAck: (to, seq) => this.send(to, { type: 'swim-ack', seq, facts: outcomes.factsFor(to) }),
      sendProbeRequest: (to, seq, target) =>
        this.send(to, { type: 'swim-probe-req', seq, target, facts: outcomes.factsFor(to) }),
      sendNack: (to, seq) =>
        this.send(to, { type: 'swim-nack', seq, facts: outcomes.factsFor(to) }),
      probeFailed: (target, incarnation, detail) =>
        outcomes.probeFailed(target, incarnation, detail),
    };
  }

  private viewHost(): ViewHost {
    return {
      config: this.config,
      prng: this.prng,
      links: this.links,
      isAlive: (peer) => this.table.get(peer)?.status === 'alive',
      goneLinkCount: () => {
        // Whichever is smaller is walked: usually nobody is gone, and a link is a table lookup.
        let count = 0;
        const gone = this.table.gone;
        if (gone.size <= this.links.size) {
          for (const m of gone) if (this.links.has(m.id)) count++;
        } else {
          for (const peer of this.links) {
            const status = this.table.get(peer)?.status;
            if (status === 'dead' || status === 'left') count++;
          }
        }
        return count;
      },
      randomMember: () => this.table.randomMember(this.prng),
      busyLink: () => this.prober.currentTarget,
      unlinkedAlive: () => {
        const ids: AgentId[] = [];
        for (const m of this.table.values()) {
          if (!m.self && m.status === 'alive' && !this.links.has(m.id)) ids.push(m.id);
        }
        return ids;
      },
    };
  }
}
