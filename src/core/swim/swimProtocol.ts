import { assert } from '../base/assert';
import { compareIds, type AgentId } from '../base/ids';
import { NO_INTERNING, type StringInterner } from '../base/interner';
import type { Prng } from '../base/prng';
import type { Millis } from '../base/time';
import type { MemberStatus, MembershipFact, SwimMessage } from '../wire/swimMessages';
import { AntiEntropy } from './antiEntropy';
import type { SwimConfig, SwimOverrides } from './config';
import { Gossip } from './gossip';
import { LoadAndAppFacts } from './loadAndApp';
import type { Member } from './memberTable';
import { MembershipFacts } from './membershipFacts';
import { Signing } from './signing';
import type { Suspicion } from './suspicion';
import { buildSnapshot, SwimInvariants } from './swimSnapshot';
import { seconds, SwimState } from './swimState';
import {
  REASON_VIEW_TRIM,
  type QuorumView,
  type ReachVia,
  type SwimEffect,
  type SwimInput,
  type SwimSnapshot,
  type SwimStats,
} from './types';

export { MAX_PENDING_SIGNS } from './signing';

const NO_VIEW_CHANGE = { connect: [], drop: [] } as const;
/** The effect list between steps: frozen, so an effect produced outside a step throws. */
const NO_EFFECTS: SwimEffect[] = Object.freeze([]) as unknown as SwimEffect[];

/**
 * Membership with failure detection and gossip: SWIM (Das et al. 2002) with Lifeguard
 * (Dadgar et al. 2018), push-pull anti-entropy (memberlist), a HyParView-like partial view
 * past `fullMeshMax` members, and the agreed membership behind quorum decisions. Pure: time
 * comes with each input, randomness from the injected Prng, signatures through `sign` effects.
 * README.md has the state diagram, the defaults with their reasons, and the limits.
 *
 * This class routes inputs and runs the timers; the parts it composes share one SwimState.
 */
export class SwimProtocol {
  readonly config: SwimConfig;
  readonly stats: SwimStats;
  private readonly s: SwimState;
  private readonly gossip: Gossip;
  private readonly signing: Signing;
  private readonly loadAndApp: LoadAndAppFacts;
  private readonly facts: MembershipFacts;
  private readonly sync: AntiEntropy;
  private readonly checker: SwimInvariants;
  private expectedWakeMs: Millis | null = null;
  /** nextWakeMs() as of the end of the last step: state only changes in steps. */
  private wakeMs: Millis | null = null;
  private nextGossipAtMs: Millis | null = null;
  private hadQuorum = false;
  /** The table version the last full afterStep saw. */
  private settledVersion = -1;

  constructor(
    selfId: AgentId,
    prng: Prng,
    overrides: SwimOverrides = {},
    interner: StringInterner = NO_INTERNING,
  ) {
    // The prober's outcomes reach parts built after the state: bound late, used only in steps.
    const outcomes = {
      factsFor: (to: AgentId) => this.gossip.factsFor(to),
      probeFailed: (target: AgentId, incarnation: number, detail: string) =>
        this.facts.probeFailed(target, incarnation, detail),
    };
    this.s = new SwimState(selfId, prng, overrides, outcomes, interner);
    this.config = this.s.config;
    this.stats = this.s.stats;
    this.gossip = new Gossip(this.s);
    this.signing = new Signing(this.s, this.gossip);
    this.loadAndApp = new LoadAndAppFacts(this.s, this.gossip, this.signing);
    this.facts = new MembershipFacts(this.s, this.gossip, this.signing, this.loadAndApp);
    this.sync = new AntiEntropy(this.s, this.facts);
    this.checker = new SwimInvariants(this.s, this.signing);
  }

  step(input: SwimInput): SwimEffect[] {
    const s = this.s;
    const effects: SwimEffect[] = [];
    if (s.leaving) return effects;
    s.effects = effects;
    s.nowMs = input.nowMs;
    if (s.startedMs === null) this.begin(input.nowMs);
    else this.checkStall(input.nowMs);
    switch (input.kind) {
      case 'linkUp':
        this.onLinkUp(input.peer);
        break;
      case 'linkDown':
        this.onLinkDown(input.peer);
        break;
      case 'message':
        this.onMessage(input.from, input.msg);
        break;
      case 'tick':
        this.onTick();
        break;
      case 'leave':
        this.onLeave();
        break;
      case 'signed':
        this.onSigned(input.requestId, input.signature);
        break;
      case 'setLoad':
        this.loadAndApp.onSetLoad(input.load);
        break;
      case 'publishFact':
        this.loadAndApp.onPublishFact(input.key, input.value);
        break;
      case 'reach':
        this.onReach(input.peer, input.via);
        break;
      case 'setGossipInterval':
        this.onSetGossipInterval(input.gossipIntervalMs);
        break;
    }
    this.afterStep();
    // A wake-up already due (a confirmation can pull a suspicion deadline into the past) is
    // expected now, not at its nominal time: only a host that does not come back is late.
    const wake = this.computeWakeMs();
    this.wakeMs = wake;
    this.expectedWakeMs = wake === null ? null : Math.max(wake, input.nowMs);
    // The list belongs to the caller now; holding it until the next step would keep it (and
    // the messages in it) alive into the old generation for nothing.
    s.effects = NO_EFFECTS;
    return effects;
  }

  /**
   * When the host should next deliver a tick, or null when there is nothing to time. Computed
   * at the end of each step (the host asks after every step; nothing changes in between).
   */
  nextWakeMs(): Millis | null {
    return this.wakeMs;
  }

  private computeWakeMs(): Millis | null {
    const s = this.s;
    if (s.leaving || s.startedMs === null) return null;
    // Runs after every step: plain comparisons, no closures.
    let wake = s.prober.wakeMs();
    const gossipAtMs = this.nextGossipAtMs;
    if (gossipAtMs !== null && (wake === null || gossipAtMs < wake)) wake = gossipAtMs;
    const loadAtMs = this.loadAndApp.loadDueAtMs;
    if (loadAtMs !== null && (wake === null || loadAtMs < wake)) wake = loadAtMs;
    const foundAtMs = s.agreed.foundAtMs(s.startedMs);
    if (foundAtMs !== null && (wake === null || foundAtMs < wake)) wake = foundAtMs;
    for (const member of s.suspects) {
      // A suspect still heard on its link is judged when it goes quiet there (a reach input).
      if (member.heardDirectly) continue;
      const deadlineMs = (member.suspicion as Suspicion).deadlineMs();
      if (wake === null || deadlineMs < wake) wake = deadlineMs;
    }
    return wake;
  }

  quorum(): QuorumView {
    return this.s.agreed.view();
  }

  statusOf(peer: AgentId): MemberStatus | null {
    return this.s.table.get(peer)?.status ?? null;
  }

  incarnation(): number {
    return this.s.self.incarnation;
  }

  /** The agreed membership (the quorum denominator), sorted. */
  agreedMembers(): AgentId[] {
    const ids: AgentId[] = [];
    for (const m of this.s.table.values()) if (m.agreed && m.status !== 'left') ids.push(m.id);
    return ids.sort(compareIds);
  }

  /** The newest application fact `subject` published under `key`, as this agent knows it. */
  appFact(subject: AgentId, key: string): { value: string; version: number } | null {
    const fact = this.s.table.get(subject)?.app?.get(key);
    return fact === undefined ? null : { value: fact.value, version: fact.version };
  }

  snapshot(): SwimSnapshot {
    return buildSnapshot(this.s);
  }

  /** Checked by the simulator after every step: cheap checks always, full recounts now and then. */
  invariants(): void {
    this.checker.check();
  }

  // ---- Inputs -------------------------------------------------------------------------------

  private begin(nowMs: Millis): void {
    const s = this.s;
    s.startedMs = nowMs;
    s.self.sinceMs = nowMs;
    this.gossip.start(nowMs);
    this.nextGossipAtMs = nowMs + s.prng.nextFloat() * s.config.gossipIntervalMs;
    this.signing.requestSelfSignatures();
    s.prober.start(nowMs);
  }

  /**
   * Lifeguard's local health, extended to the one signal a frozen or throttled tab has: its
   * inputs arrive long after the wake-up it asked for. It then knows its probes and timers
   * measured itself, not its peers: it drops the probe in flight, postpones its suspicions by
   * the time lost, and raises its health score.
   */
  private checkStall(nowMs: Millis): void {
    const s = this.s;
    const expected = this.expectedWakeMs;
    if (expected === null) return;
    const lateMs = nowMs - expected;
    if (lateMs <= s.config.stallThresholdMs) return;
    this.expectedWakeMs = null;
    s.health.apply(1);
    s.prober.abandon(nowMs);
    for (const member of s.suspects) (member.suspicion as Suspicion).postpone(lateMs);
    s.emit({
      type: 'stalled',
      peer: s.config.selfId,
      lateMs,
      reason:
        `inputs arrived ${seconds(lateMs)} late (frozen or throttled): probe in flight ` +
        `dropped, ${s.suspects.size} suspicion(s) postponed, local health ${s.health.value}`,
    });
  }

  private onLinkUp(peer: AgentId): void {
    const s = this.s;
    if (peer === s.config.selfId || s.links.has(peer)) return;
    s.links.add(peer);
    s.view.onLinkUp(peer);
    if (s.isRoundCandidate(peer)) s.prober.addToRound(peer, s.nowMs);
    // State is exchanged on a new link, so a joiner or a healed side catches up at once; one
    // such exchange per round (a joiner's eight links would fetch the table 8 times), the
    // other new links being the next rounds' partners.
    if (s.pushPull.linkUp(peer)) this.sync.startSync(peer);
  }

  private onLinkDown(peer: AgentId): void {
    const s = this.s;
    if (!s.links.delete(peer)) return;
    s.pushPull.forget(peer);
    for (const candidate of s.view.onLinkDown(s.nowMs, s.table.liveCount)) {
      s.effects.push({ kind: 'connect', peer: candidate });
    }
  }

  private onMessage(from: AgentId, msg: SwimMessage): void {
    let fresh = 0;
    switch (msg.type) {
      case 'swim-digest':
        this.sync.onDigest(from, msg.hashes);
        return;
      case 'swim-summary':
        this.sync.onSummary(from, msg);
        return;
      case 'swim-state':
        fresh = this.sync.onState(from, msg);
        break;
      default: {
        // Probes, acks, nacks, probe requests and gossip carry facts: news first, then the probe.
        fresh = this.facts.applyFacts(msg.facts, from);
        const prober = this.s.prober;
        if (msg.type === 'swim-probe') prober.onProbe(from, msg.seq);
        else if (msg.type === 'swim-ack') prober.onAck(from, msg.seq);
        else if (msg.type === 'swim-nack') prober.onNack(from, msg.seq);
        else if (msg.type === 'swim-probe-req') {
          prober.onProbeRequest(from, msg.seq, msg.target, this.s.nowMs);
        }
      }
    }
    if (fresh > 0) this.gossip.forward(from);
  }

  private onTick(): void {
    const s = this.s;
    const nowMs = s.nowMs;
    s.prober.tick(nowMs);
    const due: Member[] = [];
    for (const member of s.suspects) {
      if (!member.heardDirectly && nowMs >= (member.suspicion as Suspicion).deadlineMs()) {
        due.push(member);
      }
    }
    for (const member of due) this.facts.declareDead(member);
    if (this.nextGossipAtMs !== null && nowMs >= this.nextGossipAtMs) this.gossipRound();
    this.loadAndApp.onTick(nowMs);
  }

  /**
   * How the links protocol hears `peer` now. The quorum counts reached members; a suspect still
   * heard on its own link is not declared dead (by its own timeout or by a verdict from
   * elsewhere) until it goes quiet there, and then at once. Heard only through a neighbour is
   * not enough to hold a verdict: the neighbour's evidence is a hop older, and a crashed member
   * would stay undeclared for that much longer everywhere.
   */
  private onReach(peer: AgentId, via: ReachVia | null): void {
    const s = this.s;
    if (peer === s.config.selfId) return;
    if (via === null) s.reached.delete(peer);
    else s.reached.set(peer, via);
    const member = s.table.get(peer);
    if (member === undefined) return;
    const reached = via !== null;
    const direct = via === 'direct';
    if (member.reached === reached && member.heardDirectly === direct) return;
    const wasDirect = member.heardDirectly;
    s.table.change(member, (m) => {
      m.reached = reached;
      m.heardDirectly = direct;
    });
    // Nobody heard it for a window: probe it next rather than when the round robin gets there
    // (the probe decides; silence alone accuses nobody). Every agent that noticed probes it at
    // once, so a crash is suspected, and confirmed, within a period or two of the silence.
    if (!reached && member.status === 'alive' && s.isRoundCandidate(peer)) {
      s.prober.prioritize(peer);
    }
    if (!wasDirect || direct || member.status !== 'suspect') return;
    const suspicion = member.suspicion as Suspicion;
    if (suspicion.deadReportedBy !== null) {
      this.facts.applyHeldVerdict(member, suspicion.deadReportedBy);
    } else if (s.nowMs >= suspicion.deadlineMs()) {
      this.facts.declareDead(member);
    }
  }

  private onLeave(): void {
    const s = this.s;
    const self = s.self;
    const signature = this.signing.leftSignature;
    let reason = `this agent left before its departure was signed (incarnation ${self.incarnation}); peers will detect it`;
    if (signature !== null) {
      const fact: MembershipFact = {
        kind: 'left',
        subject: self.id,
        incarnation: self.incarnation,
        signature,
      };
      // Announced to every neighbour at once, not left to the gossip rounds.
      for (const peer of s.links) s.send(peer, { type: 'swim-gossip', facts: [fact] });
      reason = `this agent left (signed, incarnation ${self.incarnation})`;
    }
    s.table.change(self, (m) => {
      m.status = 'left';
      m.signature = signature;
      m.agreed = false;
      m.reason = reason;
      m.sinceMs = s.nowMs;
    });
    s.emit({ type: 'member-left', peer: self.id, incarnation: self.incarnation, reason });
    s.leaving = true;
    s.prober.stop();
    s.queue.clear();
    this.nextGossipAtMs = null;
    this.loadAndApp.loadDueAtMs = null;
    this.expectedWakeMs = null;
  }

  private onSigned(requestId: number, signature: string): void {
    const pending = this.signing.take(requestId);
    if (pending === undefined) return;
    switch (pending.kind) {
      case 'alive':
        this.signing.onAliveSigned(pending.incarnation, signature);
        return;
      case 'left':
        this.signing.onLeftSigned(pending.incarnation, signature);
        return;
      case 'load':
        this.loadAndApp.onLoadSigned(pending.version, pending.load, signature);
        return;
      case 'app':
        this.loadAndApp.onAppSigned(pending.key, pending.version, pending.value, signature);
        return;
    }
  }

  private afterStep(): void {
    const s = this.s;
    // What follows depends on the table's counters, the members found this step and the
    // founding: when none of them moved, it would decide nothing (the common step in a quiet
    // mesh, and each look at the table and the view is a cache miss at a thousand agents).
    const version = s.table.version;
    if (version === this.settledVersion && s.discovered.length === 0 && s.agreed.founded) return;
    this.settledVersion = version;
    if (s.startedMs !== null) s.agreed.maybeFound(s.nowMs, s.startedMs);
    s.view.updateMode(s.table.liveCount);
    // For its first gossip interval an agent cannot tell a full mesh from the first members of
    // a large group: it links to newcomers only once an exchange or two told it how many there are.
    const settled = s.nowMs - (s.startedMs ?? s.nowMs) >= s.config.gossipIntervalMs;
    if (!settled) s.discovered = [];
    if (s.discovered.length > 0) {
      for (const peer of s.discovered) {
        if (s.table.get(peer)?.status !== 'alive') continue;
        if (s.view.connectOnDiscovery(peer, s.nowMs)) {
          s.effects.push({ kind: 'connect', peer });
        }
      }
      s.discovered = [];
    }
    const quorum = s.agreed.hasQuorum();
    if (quorum === this.hadQuorum) return;
    if (quorum) s.agreed.addAllAlive();
    this.hadQuorum = quorum;
    const { reachable, membershipSize } = s.agreed.view();
    s.emit({
      type: quorum ? 'quorum-gained' : 'quorum-lost',
      peer: s.config.selfId,
      reachable,
      membershipSize,
      reason: quorum
        ? `holds ${reachable} of ${membershipSize} agreed members: agreement-based actions may proceed`
        : `holds ${reachable} of ${membershipSize} agreed members: read-only for agreement-based state`,
    });
  }

  /** The next round comes at most one new interval from now. */
  private onSetGossipInterval(gossipIntervalMs: number): void {
    const s = this.s;
    assert(
      Number.isInteger(gossipIntervalMs) && gossipIntervalMs >= 100,
      'gossipIntervalMs must be an integer of at least 100 ms',
    );
    s.config.gossipIntervalMs = gossipIntervalMs;
    const latestMs = s.nowMs + gossipIntervalMs;
    if (this.nextGossipAtMs !== null && this.nextGossipAtMs > latestMs) {
      this.nextGossipAtMs = latestMs;
    }
  }

  /** Every gossip interval: push, one push-pull, view upkeep, agreed-membership housekeeping. */
  private gossipRound(): void {
    const s = this.s;
    const nowMs = s.nowMs;
    this.nextGossipAtMs = nowMs + s.config.gossipIntervalMs;
    s.pushPull.newRound();
    this.gossip.push();
    const partner =
      s.pushPull.takeUnsynced((peer) => s.links.has(peer)) ?? s.randomLinks(1, null)[0];
    if (partner !== undefined) this.sync.startSync(partner);
    s.view.updateMode(s.table.liveCount);
    const settled = nowMs - (s.startedMs ?? nowMs) >= s.config.gossipIntervalMs;
    const decision = settled ? s.view.maintain(nowMs, s.table.liveCount) : NO_VIEW_CHANGE;
    for (const peer of decision.connect) s.effects.push({ kind: 'connect', peer });
    for (const peer of decision.drop) {
      s.links.delete(peer);
      s.pushPull.forget(peer);
      s.effects.push({ kind: 'dropLink', peer, reason: REASON_VIEW_TRIM });
    }
    const startedMs = s.startedMs ?? nowMs;
    const done = s.agreed.housekeep(nowMs, startedMs);
    for (const member of done.evicted) {
      const reason = `dead since ${seconds(nowMs - member.sinceMs)} ago: evicted from the agreed membership`;
      member.reason = reason;
      s.emit({
        type: 'member-evicted',
        peer: member.id,
        incarnation: member.incarnation,
        reason,
      });
    }
    for (const peer of done.forgotten) s.view.forget(peer);
  }
}
