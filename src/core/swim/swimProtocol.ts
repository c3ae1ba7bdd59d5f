import { assert } from '../base/assert';
import { compareIds, shortId, type AgentId } from '../base/ids';
import type { Prng } from '../base/prng';
import type { Millis } from '../base/time';
import { isAppKey, parseLoadSummary } from '../wire/swimCodec';
import {
  MAX_APP_VALUE_CHARS,
  MAX_U32,
  type AliveFact,
  type AppFact,
  type LoadFact,
  type LoadSummary,
  type MemberStatus,
  type MembershipFact,
  type SwimFact,
  type SwimMessage,
  type SwimStateMessage,
  type SwimSummaryMessage,
} from '../wire/swimMessages';
import { aliveStatement, appStatement, leftStatement, loadStatement } from '../wire/swimStatements';
import { resolveSwimConfig, type SwimConfig, type SwimOverrides } from './config';
import { DisseminationQueue } from './disseminationQueue';
import { LocalHealth } from './localHealth';
import { membershipFactOf, MemberTable, type Member } from './memberTable';
import { isConfirmation, overrides } from './precedence';
import { Prober, type ProberHost } from './prober';
import { buildEntries, buildSummary, compareSummary, differingBuckets, PushPull } from './pushPull';
import { AgreedMembership } from './quorum';
import { Suspicion, suspicionBounds } from './suspicion';
import {
  REASON_VIEW_TRIM,
  type QuorumView,
  type SwimEffect,
  type SwimEvent,
  type SwimInput,
  type SwimMemberView,
  type SwimSnapshot,
  type SwimStats,
} from './types';
import { ViewManager, type ViewHost } from './viewManager';

const NO_VIEW_CHANGE = { connect: [], drop: [] } as const;

/** Signing requests waiting for the host at once; more publications are refused. */
export const MAX_PENDING_SIGNS = 64;
/** Full consistency checks run on every step for small tables, every this many steps otherwise. */
const FULL_CHECK_EVERY = 256;
const SMALL_TABLE = 64;

type PendingSign =
  | { kind: 'alive' | 'left'; incarnation: number }
  | { kind: 'load'; version: number; load: LoadSummary }
  | { kind: 'app'; key: string; version: number; value: string };

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

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function loadMoved(before: LoadSummary, after: LoadSummary, threshold: number): boolean {
  const moved = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? a !== b : Math.abs(a - b) >= threshold;
  return (
    moved(before.cpu, after.cpu) ||
    moved(before.memory, after.memory) ||
    before.tasks !== after.tasks
  );
}

/**
 * Membership with failure detection and gossip: SWIM (Das et al. 2002) with Lifeguard
 * (Dadgar et al. 2018), push-pull anti-entropy (memberlist), a HyParView-like partial view
 * past `fullMeshMax` members, and the agreed membership behind quorum decisions. Pure: time
 * comes with each input, randomness from the injected Prng, signatures through `sign` effects.
 * README.md has the state diagram, the defaults with their reasons, and the limits.
 */
export class SwimProtocol {
  readonly config: SwimConfig;
  readonly stats: SwimStats = emptyStats();
  private readonly table = new MemberTable();
  private readonly self: Member;
  private readonly queue: DisseminationQueue;
  private readonly health: LocalHealth;
  private readonly prober: Prober;
  private readonly view: ViewManager;
  private readonly pushPull: PushPull;
  private readonly agreed: AgreedMembership;
  /** Linked members, oldest link first. */
  private readonly links = new Set<AgentId>();
  private readonly suspects = new Set<Member>();
  private readonly pendingSigns = new Map<number, PendingSign>();
  private effects: SwimEffect[] = [];
  private nowMs: Millis = 0;
  private startedMs: Millis | null = null;
  private leaving = false;
  private expectedWakeMs: Millis | null = null;
  private nextGossipAtMs: Millis | null = null;
  private leftSignature: string | null = null;
  private nextRequestId = 1;
  private forwardTokens = 0;
  private tokensAtMs: Millis = 0;
  private desiredLoad: LoadSummary | null = null;
  private loadVersion = 0;
  private loadSignPending = false;
  private lastLoadPublishMs: Millis | null = null;
  private loadDueAtMs: Millis | null = null;
  private readonly appVersions = new Map<string, number>();
  private hadQuorum = false;
  /** Members that became alive during this step, to link to once the step is done. */
  private discovered: AgentId[] = [];
  private invariantCalls = 0;
  private lastIncarnation = 0;

  constructor(
    selfId: AgentId,
    private readonly prng: Prng,
    overrides: SwimOverrides = {},
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
      load: null,
      app: null,
      appVersionSum: 0,
    });
    this.prober = new Prober(this.proberHost());
    this.view = new ViewManager(this.viewHost());
    this.pushPull = new PushPull(this.config.maxSyncPagesPerRound);
    this.agreed = new AgreedMembership(this.table, this.config);
  }

  step(input: SwimInput): SwimEffect[] {
    const effects: SwimEffect[] = [];
    if (this.leaving) return effects;
    this.effects = effects;
    this.nowMs = input.nowMs;
    if (this.startedMs === null) this.begin(input.nowMs);
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
        this.onSetLoad(input.load);
        break;
      case 'publishFact':
        this.onPublishFact(input.key, input.value);
        break;
    }
    this.afterStep();
    // A wake-up already due (a confirmation can pull a suspicion deadline into the past) is
    // expected now, not at its nominal time: only a host that does not come back is late.
    const wake = this.nextWakeMs();
    this.expectedWakeMs = wake === null ? null : Math.max(wake, input.nowMs);
    return effects;
  }

  /** When the host should next deliver a tick, or null when there is nothing to time. */
  nextWakeMs(): Millis | null {
    if (this.leaving || this.startedMs === null) return null;
    // Runs after every step: plain comparisons, no closures.
    let wake = this.prober.wakeMs();
    const gossipAtMs = this.nextGossipAtMs;
    if (gossipAtMs !== null && (wake === null || gossipAtMs < wake)) wake = gossipAtMs;
    const loadAtMs = this.loadDueAtMs;
    if (loadAtMs !== null && (wake === null || loadAtMs < wake)) wake = loadAtMs;
    const foundAtMs = this.agreed.foundAtMs(this.startedMs);
    if (foundAtMs !== null && (wake === null || foundAtMs < wake)) wake = foundAtMs;
    for (const member of this.suspects) {
      const deadlineMs = (member.suspicion as Suspicion).deadlineMs();
      if (wake === null || deadlineMs < wake) wake = deadlineMs;
    }
    return wake;
  }

  quorum(): QuorumView {
    return this.agreed.view();
  }

  statusOf(peer: AgentId): MemberStatus | null {
    return this.table.get(peer)?.status ?? null;
  }

  incarnation(): number {
    return this.self.incarnation;
  }

  /** The agreed membership (the quorum denominator), sorted. */
  agreedMembers(): AgentId[] {
    const ids: AgentId[] = [];
    for (const m of this.table.values()) if (m.agreed && m.status !== 'left') ids.push(m.id);
    return ids.sort(compareIds);
  }

  /** The newest application fact `subject` published under `key`, as this agent knows it. */
  appFact(subject: AgentId, key: string): { value: string; version: number } | null {
    const fact = this.table.get(subject)?.app?.get(key);
    return fact === undefined ? null : { value: fact.value, version: fact.version };
  }

  snapshot(): SwimSnapshot {
    const members: SwimMemberView[] = [];
    const reachable: AgentId[] = [];
    let passive = 0;
    for (const m of this.table.values()) {
      const linked = this.links.has(m.id);
      if (m.status === 'alive') reachable.push(m.id);
      if (!m.self && m.status === 'alive' && !linked) passive++;
      members.push({
        id: m.id,
        self: m.self,
        status: m.status,
        incarnation: m.incarnation,
        sinceMs: m.sinceMs,
        load: m.load === null ? null : { ...m.load.load },
        suspectedBy: m.suspicion === null ? [] : [...m.suspicion.suspecters],
        confirmations: m.suspicion?.confirmations ?? 0,
        suspicionDeadlineMs: m.suspicion?.deadlineMs() ?? null,
        reason: m.reason,
        linked,
        agreed: m.agreed,
        facts:
          m.app === null
            ? []
            : [...m.app.values()]
                .map((f) => ({ key: f.key, value: f.value, version: f.version }))
                .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      });
    }
    members.sort((a, b) => compareIds(a.id, b.id));
    reachable.sort(compareIds);
    return {
      self: this.config.selfId,
      incarnation: this.self.incarnation,
      leaving: this.leaving,
      mode: this.view.mode,
      members,
      reachable,
      quorum: this.agreed.view(),
      localHealth: this.health.value,
      activeView: [...this.links].sort(compareIds),
      passiveViewSize: passive,
      activeViewTarget: this.view.activeTarget(this.table.liveCount),
      queuedFacts: this.queue.size,
      stats: { ...this.stats, queueDropped: this.queue.dropped },
    };
  }

  /** Checked by the simulator after every step: cheap checks always, full recounts now and then. */
  invariants(): void {
    const self = this.self;
    assert(this.table.get(this.config.selfId) === self, 'self missing from the member table');
    assert(self.status === 'alive' || (this.leaving && self.status === 'left'), 'self not alive');
    assert(self.incarnation >= this.lastIncarnation, 'own incarnation went down');
    this.lastIncarnation = self.incarnation;
    assert(this.table.size <= this.config.maxMembers, 'member table over maxMembers');
    assert(this.queue.size <= this.config.maxQueuedFacts, 'gossip queue over its limit');
    assert(this.prober.relayCount <= this.config.maxRelayedProbes, 'too many relayed probes');
    assert(this.pendingSigns.size <= MAX_PENDING_SIGNS, 'too many signing requests');
    assert(!this.links.has(this.config.selfId), 'linked to itself');
    assert(this.prober.currentTarget !== this.config.selfId, 'probing itself');
    assert(this.health.value >= 0 && this.health.value < this.config.localHealthMax, 'health');
    for (const m of this.suspects) assert(m.status === 'suspect', `${m.id} tracked as suspect`);
    if (this.table.size <= SMALL_TABLE || ++this.invariantCalls % FULL_CHECK_EVERY === 0) {
      this.table.check();
      this.queue.check();
      let suspects = 0;
      for (const m of this.table.values()) if (m.status === 'suspect') suspects++;
      assert(suspects === this.suspects.size, 'suspect set out of step with the table');
    }
  }

  // ---- Inputs -------------------------------------------------------------------------------

  private begin(nowMs: Millis): void {
    this.startedMs = nowMs;
    this.self.sinceMs = nowMs;
    this.forwardTokens = this.config.forwardBurst;
    this.tokensAtMs = nowMs;
    this.nextGossipAtMs = nowMs + this.prng.nextFloat() * this.config.gossipIntervalMs;
    this.requestSelfSignatures();
    this.prober.start(nowMs);
  }

  /**
   * Lifeguard's local health, extended to the one signal a frozen or throttled tab has: its
   * inputs arrive long after the wake-up it asked for. It then knows its probes and timers
   * measured itself, not its peers: it drops the probe in flight, postpones its suspicions by
   * the time lost, and raises its health score.
   */
  private checkStall(nowMs: Millis): void {
    const expected = this.expectedWakeMs;
    if (expected === null) return;
    const lateMs = nowMs - expected;
    if (lateMs <= this.config.stallThresholdMs) return;
    this.expectedWakeMs = null;
    this.health.apply(1);
    this.prober.abandon(nowMs);
    for (const member of this.suspects) (member.suspicion as Suspicion).postpone(lateMs);
    this.emit({
      type: 'stalled',
      peer: this.config.selfId,
      lateMs,
      reason:
        `inputs arrived ${seconds(lateMs)} late (frozen or throttled): probe in flight ` +
        `dropped, ${this.suspects.size} suspicion(s) postponed, local health ${this.health.value}`,
    });
  }

  private onLinkUp(peer: AgentId): void {
    if (peer === this.config.selfId || this.links.has(peer)) return;
    this.links.add(peer);
    this.view.onLinkUp(peer);
    if (this.isRoundCandidate(peer)) this.prober.addToRound(peer, this.nowMs);
    // State is exchanged on a new link, so a joiner or a healed side catches up at once; one
    // such exchange per round is enough (a joiner's eight links would fetch the table 8 times).
    if (this.pushPull.size === 0) this.startSync(peer);
  }

  private onLinkDown(peer: AgentId): void {
    if (!this.links.delete(peer)) return;
    this.pushPull.forget(peer);
    for (const candidate of this.view.onLinkDown(this.nowMs, this.table.liveCount)) {
      this.effects.push({ kind: 'connect', peer: candidate });
    }
  }

  private onMessage(from: AgentId, msg: SwimMessage): void {
    let fresh = 0;
    switch (msg.type) {
      case 'swim-probe':
        fresh = this.applyFacts(msg.facts, from);
        this.prober.onProbe(from, msg.seq);
        break;
      case 'swim-ack':
        fresh = this.applyFacts(msg.facts, from);
        this.prober.onAck(from, msg.seq);
        break;
      case 'swim-nack':
        fresh = this.applyFacts(msg.facts, from);
        this.prober.onNack(from, msg.seq);
        break;
      case 'swim-probe-req':
        fresh = this.applyFacts(msg.facts, from);
        this.prober.onProbeRequest(from, msg.seq, msg.target, this.nowMs);
        break;
      case 'swim-gossip':
        fresh = this.applyFacts(msg.facts, from);
        break;
      case 'swim-digest':
        this.onDigest(from, msg.hashes);
        break;
      case 'swim-summary':
        this.onSummary(from, msg);
        break;
      case 'swim-state':
        fresh = this.onState(from, msg);
        break;
    }
    if (fresh > 0) this.forward(from);
  }

  private onTick(): void {
    const nowMs = this.nowMs;
    this.prober.tick(nowMs);
    const due: Member[] = [];
    for (const member of this.suspects) {
      if (nowMs >= (member.suspicion as Suspicion).deadlineMs()) due.push(member);
    }
    for (const member of due) this.declareDead(member);
    if (this.nextGossipAtMs !== null && nowMs >= this.nextGossipAtMs) this.gossipRound();
    if (this.loadDueAtMs !== null && nowMs >= this.loadDueAtMs) {
      this.loadDueAtMs = null;
      this.maybePublishLoad();
    }
  }

  private onLeave(): void {
    const self = this.self;
    const signature = this.leftSignature;
    let reason = `this agent left before its departure was signed (incarnation ${self.incarnation}); peers will detect it`;
    if (signature !== null) {
      const fact: MembershipFact = {
        kind: 'left',
        subject: self.id,
        incarnation: self.incarnation,
        signature,
      };
      // Announced to every neighbour at once, not left to the gossip rounds.
      for (const peer of this.links) this.send(peer, { type: 'swim-gossip', facts: [fact] });
      reason = `this agent left (signed, incarnation ${self.incarnation})`;
    }
    this.table.change(self, (m) => {
      m.status = 'left';
      m.signature = signature;
      m.agreed = false;
      m.reason = reason;
      m.sinceMs = this.nowMs;
    });
    this.emit({ type: 'member-left', peer: self.id, incarnation: self.incarnation, reason });
    this.leaving = true;
    this.prober.stop();
    this.queue.clear();
    this.nextGossipAtMs = null;
    this.loadDueAtMs = null;
    this.expectedWakeMs = null;
  }

  private onSigned(requestId: number, signature: string): void {
    const pending = this.pendingSigns.get(requestId);
    if (pending === undefined) return;
    this.pendingSigns.delete(requestId);
    const self = this.self;
    switch (pending.kind) {
      case 'alive': {
        if (pending.incarnation !== self.incarnation) return;
        self.signature = signature;
        const fact: AliveFact = {
          kind: 'alive',
          subject: self.id,
          incarnation: self.incarnation,
          signature,
        };
        this.queue.push(fact);
        // A refutation (or first announcement) goes to every neighbour at once.
        for (const peer of this.links) this.sendGossip(peer, fact);
        return;
      }
      case 'left':
        if (pending.incarnation === self.incarnation) this.leftSignature = signature;
        return;
      case 'load': {
        this.loadSignPending = false;
        if (pending.version > (self.load?.version ?? 0)) {
          const fact: LoadFact = {
            kind: 'load',
            subject: self.id,
            version: pending.version,
            load: pending.load,
            signature,
          };
          self.load = fact;
          this.queue.push(fact);
          this.forward(null);
        }
        this.maybePublishLoad();
        return;
      }
      case 'app': {
        const current = self.app?.get(pending.key);
        if (current !== undefined && current.version >= pending.version) return;
        const fact: AppFact = {
          kind: 'app',
          subject: self.id,
          key: pending.key,
          version: pending.version,
          value: pending.value,
          signature,
        };
        this.storeApp(self, fact);
        this.queue.push(fact);
        this.forward(null);
        return;
      }
    }
  }

  private onSetLoad(load: LoadSummary): void {
    const parsed = parseLoadSummary(load);
    if (parsed === null) return;
    this.desiredLoad = parsed;
    this.maybePublishLoad();
  }

  private onPublishFact(key: string, value: string): void {
    if (!isAppKey(key) || typeof value !== 'string' || value.length > MAX_APP_VALUE_CHARS) return;
    const app = this.self.app;
    if (!app?.has(key) && (app?.size ?? 0) >= this.config.maxAppFactsPerMember) return;
    if (this.pendingSigns.size >= MAX_PENDING_SIGNS) return;
    const version = Math.max(this.appVersions.get(key) ?? 0, app?.get(key)?.version ?? 0) + 1;
    if (version > MAX_U32) return;
    this.appVersions.set(key, version);
    this.requestSign(appStatement(this.self.id, key, version, value), {
      kind: 'app',
      key,
      version,
      value,
    });
  }

  private afterStep(): void {
    if (this.startedMs !== null) this.agreed.maybeFound(this.nowMs, this.startedMs);
    this.view.updateMode(this.table.liveCount);
    // For its first gossip interval an agent cannot tell a full mesh from the first members of
    // a large group: it links to newcomers only once an exchange or two told it how many there are.
    const settled = this.nowMs - (this.startedMs ?? this.nowMs) >= this.config.gossipIntervalMs;
    if (!settled) this.discovered = [];
    if (this.discovered.length > 0) {
      for (const peer of this.discovered) {
        if (this.table.get(peer)?.status !== 'alive') continue;
        if (this.view.connectOnDiscovery(peer, this.nowMs)) {
          this.effects.push({ kind: 'connect', peer });
        }
      }
      this.discovered = [];
    }
    const quorum = this.agreed.hasQuorum();
    if (quorum === this.hadQuorum) return;
    if (quorum) this.agreed.addAllAlive();
    this.hadQuorum = quorum;
    const { reachable, membershipSize } = this.agreed.view();
    this.emit({
      type: quorum ? 'quorum-gained' : 'quorum-lost',
      peer: this.config.selfId,
      reachable,
      membershipSize,
      reason: quorum
        ? `holds ${reachable} of ${membershipSize} agreed members: agreement-based actions may proceed`
        : `holds ${reachable} of ${membershipSize} agreed members: read-only for agreement-based state`,
    });
  }

  // ---- Facts --------------------------------------------------------------------------------

  private applyFacts(facts: readonly SwimFact[], from: AgentId): number {
    this.stats.factsReceived += facts.length;
    let fresh = 0;
    for (const fact of facts) {
      if (this.applyFact(fact, from)) fresh++;
      else this.queue.noteDuplicate(fact, this.retransmitLimit());
    }
    this.stats.factsNew += fresh;
    return fresh;
  }

  private applyFact(fact: SwimFact, from: AgentId): boolean {
    switch (fact.kind) {
      case 'load':
        return this.applyLoad(fact);
      case 'app':
        return this.applyApp(fact);
      default:
        return this.applyMembership(fact, from, null);
    }
  }

  /**
   * Applies a membership fact by the precedence rules; returns true when it was news worth
   * spreading. `viaSync`: learned from an anti-entropy page, where a member new to this agent is
   * old news to the sender, so it is not gossiped on (a thousand agents starting together would
   * otherwise re-gossip the whole table from every sync); changes of status still are.
   */
  private applyMembership(
    fact: MembershipFact,
    from: AgentId,
    detail: string | null,
    viaSync = false,
  ): boolean {
    if (fact.subject === this.config.selfId) {
      this.onFactAboutSelf(fact);
      return false;
    }
    const current = this.table.get(fact.subject) ?? null;
    const state = { status: fact.kind, incarnation: fact.incarnation };
    if (isConfirmation(state, current)) {
      const suspicion = (current as Member).suspicion as Suspicion;
      if (!suspicion.confirm((fact as { by: AgentId }).by)) return false;
      this.queue.push(fact);
      return true;
    }
    if (!overrides(state, current)) return false;
    if (current === null) return this.addMember(fact as AliveFact, from, viaSync);
    this.transition(current, fact, from, detail);
    this.queue.push(fact);
    return true;
  }

  private addMember(fact: AliveFact, from: AgentId, viaSync: boolean): boolean {
    if (this.table.size >= this.config.maxMembers && !this.forgetOne()) {
      this.stats.membersRefused++;
      return false;
    }
    const heard = from === fact.subject ? 'announced itself' : `heard from ${shortId(from)}`;
    const reason = `joined at incarnation ${fact.incarnation} (${heard})`;
    const member = this.table.add({
      id: fact.subject,
      self: false,
      status: 'alive',
      incarnation: fact.incarnation,
      signature: fact.signature,
      by: null,
      sinceMs: this.nowMs,
      reason,
      suspicion: null,
      agreed: false,
      load: null,
      app: null,
      appVersionSum: 0,
    });
    this.emit({ type: 'member-alive', peer: member.id, incarnation: fact.incarnation, reason });
    this.agreed.onAlive(member);
    this.becameAlive(member);
    if (viaSync) return false;
    this.queue.push(fact);
    return true;
  }

  private transition(
    member: Member,
    fact: MembershipFact,
    from: AgentId,
    detail: string | null,
  ): void {
    const previous = member.status;
    const incarnation = fact.incarnation;
    const nowMs = this.nowMs;
    switch (fact.kind) {
      case 'alive': {
        this.suspects.delete(member);
        const reason =
          previous === 'suspect'
            ? `refuted the suspicion with incarnation ${incarnation}`
            : previous === 'dead'
              ? `came back from dead with incarnation ${incarnation}`
              : previous === 'left'
                ? `rejoined with incarnation ${incarnation}`
                : member.reason;
        this.table.change(member, (m) => {
          m.status = 'alive';
          m.incarnation = incarnation;
          m.signature = fact.signature;
          m.by = null;
          m.suspicion = null;
          m.reason = reason;
          if (previous !== 'alive') m.sinceMs = nowMs;
        });
        if (previous !== 'alive') {
          this.emit({ type: 'member-alive', peer: member.id, incarnation, reason: reason ?? '' });
          if (previous !== 'suspect') this.becameAlive(member);
        }
        this.agreed.onAlive(member);
        return;
      }
      case 'suspect': {
        const by = fact.by;
        const heard = from === by ? '' : ` (heard from ${shortId(from)})`;
        const reason = detail ?? `suspected by ${shortId(by)}${heard}`;
        const bounds = suspicionBounds(
          this.table.liveCount,
          this.config.probeIntervalMs,
          this.config.suspicionMinMult,
          this.config.suspicionMaxMult,
          this.config.suspicionConfirmations,
        );
        this.table.change(member, (m) => {
          if (m.incarnation !== incarnation) m.signature = null;
          m.status = 'suspect';
          m.incarnation = incarnation;
          m.by = by;
          m.suspicion = new Suspicion(nowMs, by, bounds);
          m.reason = reason;
          if (previous !== 'suspect') m.sinceMs = nowMs;
        });
        this.suspects.add(member);
        this.emit({ type: 'member-suspect', peer: member.id, incarnation, by, reason });
        if (this.config.reprobeSuspects && this.canProbe(member.id)) {
          this.prober.prioritize(member.id);
        }
        return;
      }
      case 'dead':
      case 'left': {
        this.suspects.delete(member);
        const reason =
          fact.kind === 'left'
            ? `left gracefully (signed, incarnation ${incarnation})`
            : (detail ??
              `declared dead by ${shortId(fact.by)}${from === fact.by ? '' : ` (heard from ${shortId(from)})`}`);
        this.table.change(member, (m) => {
          m.status = fact.kind;
          m.incarnation = incarnation;
          m.signature = fact.kind === 'left' ? fact.signature : null;
          m.by = fact.kind === 'dead' ? fact.by : null;
          m.suspicion = null;
          m.reason = reason;
          m.sinceMs = nowMs;
          if (fact.kind === 'left') m.agreed = false;
        });
        this.view.forget(member.id);
        if (fact.kind === 'dead') {
          this.emit({ type: 'member-dead', peer: member.id, incarnation, by: fact.by, reason });
        } else {
          this.emit({ type: 'member-left', peer: member.id, incarnation, reason });
        }
        return;
      }
    }
  }

  /** Someone says something about this agent: a suspicion, death or older life is refuted. */
  private onFactAboutSelf(fact: MembershipFact): void {
    const incarnation = this.self.incarnation;
    if (fact.kind === 'alive') {
      if (fact.incarnation > incarnation) {
        this.refute(
          fact.incarnation + 1,
          `an earlier life of this agent was alive at incarnation ${fact.incarnation}`,
        );
      }
      return;
    }
    if (fact.incarnation < incarnation) return;
    let why: string;
    if (fact.kind === 'left') {
      why = `an earlier life of this agent left at incarnation ${fact.incarnation}`;
    } else {
      // Being suspected is a sign this agent may be the slow one (Lifeguard).
      this.health.apply(1);
      const verb = fact.kind === 'suspect' ? 'suspected' : 'declared dead';
      why = `${verb} by ${shortId(fact.by)} at incarnation ${fact.incarnation}`;
    }
    this.refute(fact.incarnation + 1, why);
  }

  private refute(incarnation: number, why: string): void {
    if (incarnation > MAX_U32) return;
    this.table.change(this.self, (m) => {
      m.incarnation = incarnation;
      m.signature = null;
    });
    this.leftSignature = null;
    this.requestSelfSignatures();
    this.emit({
      type: 'self-refuted',
      peer: this.config.selfId,
      incarnation,
      reason: `${why}; refuting with incarnation ${incarnation}`,
    });
  }

  private applyLoad(fact: LoadFact): boolean {
    if (fact.subject === this.config.selfId) {
      // A higher version of our own load is from an earlier life: outbid it and republish.
      if (fact.version > (this.self.load?.version ?? 0)) {
        this.loadVersion = Math.max(this.loadVersion, fact.version);
        this.self.load = null;
        this.maybePublishLoad();
      }
      return false;
    }
    const member = this.table.get(fact.subject);
    if (member === undefined || (member.load !== null && member.load.version >= fact.version)) {
      return false;
    }
    member.load = fact;
    this.queue.push(fact);
    return true;
  }

  private applyApp(fact: AppFact): boolean {
    if (fact.subject === this.config.selfId) {
      const known = this.appVersions.get(fact.key) ?? 0;
      if (fact.version > known) this.appVersions.set(fact.key, fact.version);
      return false;
    }
    const member = this.table.get(fact.subject);
    if (member === undefined) return false;
    const current = member.app?.get(fact.key);
    if (current !== undefined && current.version >= fact.version) return false;
    if (current === undefined && (member.app?.size ?? 0) >= this.config.maxAppFactsPerMember) {
      return false;
    }
    this.storeApp(member, fact);
    this.queue.push(fact);
    return true;
  }

  private storeApp(member: Member, fact: AppFact): void {
    this.table.change(member, (m) => {
      m.app ??= new Map();
      m.app.set(fact.key, fact);
      let sum = 0;
      for (const f of m.app.values()) sum = (sum + f.version) >>> 0;
      m.appVersionSum = sum;
    });
  }

  /**
   * A member became alive (new, back from dead or rejoined): probe it, and link to it at the
   * end of the step, once the view mode reflects everything the step learned (a sync page can
   * introduce a hundred members: that is a partial view, not a hundred connections).
   */
  private becameAlive(member: Member): void {
    if (this.isRoundCandidate(member.id)) this.prober.addToRound(member.id, this.nowMs);
    if (this.discovered.length < this.config.fullMeshMax) this.discovered.push(member.id);
  }

  /** Makes room in a full table: the longest-gone member outside the agreed membership. */
  private forgetOne(): boolean {
    let victim: Member | null = null;
    for (const m of this.table.values()) {
      if (m.self || m.agreed || (m.status !== 'dead' && m.status !== 'left')) continue;
      if (victim === null || m.sinceMs < victim.sinceMs) victim = m;
    }
    if (victim === null) return false;
    this.table.remove(victim.id);
    return true;
  }

  // ---- Failure detection ---------------------------------------------------------------------

  private probeFailed(target: AgentId, incarnation: number, detail: string): void {
    const fact: MembershipFact = {
      kind: 'suspect',
      subject: target,
      incarnation,
      by: this.config.selfId,
    };
    if (this.applyMembership(fact, this.config.selfId, detail)) this.forward(null);
  }

  private declareDead(member: Member): void {
    const suspicion = member.suspicion as Suspicion;
    const [first, ...confirmers] = suspicion.suspecters;
    const expected = suspicion.bounds.expected;
    const confirmed =
      confirmers.length === 0
        ? 'no independent confirmation'
        : `confirmed by ${confirmers.map(shortId).join(', ')} (${confirmers.length} of ${expected} expected)`;
    const detail =
      `suspicion timed out after ${seconds(suspicion.timeoutMs())}: suspected by ` +
      `${shortId(first as AgentId)}, ${confirmed}`;
    const fact: MembershipFact = {
      kind: 'dead',
      subject: member.id,
      incarnation: member.incarnation,
      by: this.config.selfId,
    };
    if (this.applyMembership(fact, this.config.selfId, detail)) this.forward(null);
  }

  /**
   * Linked members are probed directly. In a full mesh a member without a link is probed too
   * (indirectly: that is how a partition shows), but only once it has had `promoteTimeoutMs`
   * to get its link: a member just learned of has none yet, and its neighbours may not either.
   */
  private canProbe(peer: AgentId): boolean {
    if (this.links.has(peer)) return true;
    if (this.view.mode !== 'full-mesh') return false;
    const member = this.table.get(peer);
    return member !== undefined && this.nowMs - member.sinceMs >= this.config.promoteTimeoutMs;
  }

  private isRoundCandidate(peer: AgentId): boolean {
    const m = this.table.get(peer);
    return (
      m !== undefined &&
      !m.self &&
      (m.status === 'alive' || m.status === 'suspect') &&
      this.canProbe(peer)
    );
  }

  private proberHost(): ProberHost {
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
        this.send(to, { type: 'swim-probe', seq, facts: this.factsFor(to) });
      },
      sendAck: (to, seq) => this.send(to, { type: 'swim-ack', seq, facts: this.factsFor(to) }),
      sendProbeRequest: (to, seq, target) =>
        this.send(to, { type: 'swim-probe-req', seq, target, facts: this.factsFor(to) }),
      sendNack: (to, seq) => this.send(to, { type: 'swim-nack', seq, facts: this.factsFor(to) }),
      probeFailed: (target, incarnation, detail) => this.probeFailed(target, incarnation, detail),
    };
  }

  // ---- Gossip -------------------------------------------------------------------------------

  /**
   * Sends per fact: retransmitMult x ceil(log10(N + 1)) (memberlist), the SWIM bound for gossip
   * to members picked from the whole group. In a partial view gossip only reaches the active
   * view, so past one send per neighbour plus a fan-out more sends only repeat themselves;
   * anti-entropy catches whoever they missed.
   */
  private retransmitLimit(): number {
    const n = this.table.liveCount;
    const swim = Math.ceil(this.config.retransmitMult * Math.ceil(Math.log10(n + 1)));
    if (this.view.mode === 'full-mesh') return swim;
    return Math.max(1, Math.min(swim, this.links.size + this.config.gossipFanout));
  }

  /**
   * Facts for one message to `to`: first what this agent holds about `to` when that is a
   * suspicion or death (Lifeguard's buddy system: the subject learns of it at once and can
   * refute), then the least-sent queued facts.
   */
  private factsFor(to: AgentId, first: SwimFact | null = null): SwimFact[] {
    const max = this.config.maxFactsPerMessage;
    if (max === 0) return first === null ? [] : [first];
    const facts: SwimFact[] = first === null ? [] : [first];
    const member = this.table.get(to);
    // The common case in a quiet mesh: nothing to tell anyone.
    if (this.queue.size === 0 && (member === undefined || member.status === 'alive')) return facts;
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
    const queued = this.queue.take(max - facts.length, this.retransmitLimit(), skip);
    for (const fact of queued) facts.push(fact);
    return facts;
  }

  private sendGossip(to: AgentId, first: SwimFact | null = null): void {
    const facts = this.factsFor(to, first);
    if (facts.length > 0) this.send(to, { type: 'swim-gossip', facts });
  }

  /** Forwards news at once to a few random neighbours (bounded by a token bucket). */
  private forward(except: AgentId | null): void {
    if (!this.config.forwardOnArrival) return;
    const { forwardBurst, forwardRatePerSecond, gossipFanout } = this.config;
    this.forwardTokens = Math.min(
      forwardBurst,
      this.forwardTokens + ((this.nowMs - this.tokensAtMs) * forwardRatePerSecond) / 1000,
    );
    this.tokensAtMs = this.nowMs;
    for (const peer of this.randomLinks(gossipFanout, except)) {
      if (this.forwardTokens < 1) {
        this.stats.forwardsSkippedRate++;
        return;
      }
      this.forwardTokens -= 1;
      this.sendGossip(peer);
    }
  }

  private gossipRound(): void {
    const nowMs = this.nowMs;
    this.nextGossipAtMs = nowMs + this.config.gossipIntervalMs;
    this.pushPull.newRound();
    if (this.queue.size > 0) {
      for (const peer of this.randomLinks(this.config.gossipFanout, null)) this.sendGossip(peer);
    }
    const [partner] = this.randomLinks(1, null);
    if (partner !== undefined) this.startSync(partner);
    this.view.updateMode(this.table.liveCount);
    const settled = nowMs - (this.startedMs ?? nowMs) >= this.config.gossipIntervalMs;
    const decision = settled ? this.view.maintain(nowMs, this.table.liveCount) : NO_VIEW_CHANGE;
    for (const peer of decision.connect) this.effects.push({ kind: 'connect', peer });
    for (const peer of decision.drop) {
      this.links.delete(peer);
      this.pushPull.forget(peer);
      this.effects.push({ kind: 'dropLink', peer, reason: REASON_VIEW_TRIM });
    }
    const startedMs = this.startedMs ?? nowMs;
    const done = this.agreed.housekeep(nowMs, startedMs);
    for (const member of done.evicted) {
      const reason = `dead since ${seconds(nowMs - member.sinceMs)} ago: evicted from the agreed membership`;
      member.reason = reason;
      this.emit({
        type: 'member-evicted',
        peer: member.id,
        incarnation: member.incarnation,
        reason,
      });
    }
    for (const peer of done.forgotten) this.view.forget(peer);
  }

  // ---- Anti-entropy -------------------------------------------------------------------------

  private startSync(peer: AgentId): void {
    this.pushPull.started(peer);
    this.sendDigest(peer);
  }

  private sendDigest(peer: AgentId): void {
    this.stats.digestsSent++;
    this.send(peer, { type: 'swim-digest', hashes: Array.from(this.table.bucketHashes) });
  }

  /** Step 2: summarise the buckets whose hashes differ (no signatures, a few bytes a member). */
  private onDigest(from: AgentId, hashes: readonly number[]): void {
    const differ = differingBuckets(this.table.bucketHashes, hashes);
    if (differ.length === 0) return;
    // Start at a random differing bucket, so a long exchange is spread over the table.
    const start = this.prng.nextInt(differ.length);
    const ordered = [...differ.slice(start), ...differ.slice(0, start)];
    const page = buildSummary(this.table, ordered);
    this.stats.summariesSent++;
    this.send(from, { type: 'swim-summary', ...page });
  }

  /** Step 3: send what the peer lacks or holds older, ask for what this agent does. */
  private onSummary(from: AgentId, msg: SwimSummaryMessage): void {
    const { push, want, adopt } = compareSummary(this.table, msg.buckets, msg.members);
    for (const member of adopt) this.agreed.adopt(member);
    const page = buildEntries(push, this.config.maxSyncMembers);
    const wanted = want.slice(0, this.config.maxSyncMembers);
    if (page.members.length > 0 || wanted.length > 0) {
      this.stats.statePagesSent++;
      this.send(from, { type: 'swim-state', ...page, want: wanted, reply: false });
    }
    const more = msg.remaining > 0 || page.truncated || want.length > wanted.length;
    if (!more || !this.pushPull.mayContinue(from)) return;
    if (wanted.length > 0) this.pushPull.continueOnReply(from);
    else this.sendDigest(from);
  }

  /** Steps 3 and 4 received: merge, answer a `want` list, follow up when a page was cut short. */
  private onState(from: AgentId, msg: SwimStateMessage): number {
    let fresh = 0;
    this.stats.factsReceived += msg.members.length + msg.facts.length;
    for (const { fact, agreed } of msg.members) {
      if (this.applyMembership(fact, from, null, true)) fresh++;
      if (agreed) {
        const member = this.table.get(fact.subject);
        if (member !== undefined) this.agreed.adopt(member);
      }
    }
    for (const fact of msg.facts) if (this.applyFact(fact, from)) fresh++;
    this.stats.factsNew += fresh;
    if (msg.want.length > 0) {
      const wanted: Member[] = [];
      for (const id of msg.want) {
        const member = this.table.get(id);
        if (member !== undefined) wanted.push(member);
      }
      const page = buildEntries(wanted, this.config.maxSyncMembers);
      this.stats.statePagesSent++;
      this.send(from, { type: 'swim-state', ...page, want: [], reply: true });
    }
    if (msg.reply && this.pushPull.takeContinuation(from)) this.sendDigest(from);
    return fresh;
  }

  // ---- Load ---------------------------------------------------------------------------------

  private maybePublishLoad(): void {
    const desired = this.desiredLoad;
    if (desired === null || this.loadSignPending || this.pendingSigns.size >= MAX_PENDING_SIGNS) {
      return;
    }
    const published = this.self.load?.load;
    if (published !== undefined && !loadMoved(published, desired, this.config.loadChangeMin)) {
      return;
    }
    const dueMs =
      this.lastLoadPublishMs === null
        ? this.nowMs
        : this.lastLoadPublishMs + this.config.loadMinIntervalMs;
    if (this.nowMs < dueMs) {
      this.loadDueAtMs = dueMs;
      return;
    }
    if (this.loadVersion >= MAX_U32) return;
    this.loadVersion++;
    this.loadSignPending = true;
    this.lastLoadPublishMs = this.nowMs;
    this.loadDueAtMs = null;
    this.requestSign(loadStatement(this.self.id, this.loadVersion, desired), {
      kind: 'load',
      version: this.loadVersion,
      load: desired,
    });
  }

  // ---- Effects ------------------------------------------------------------------------------

  private requestSelfSignatures(): void {
    const { id, incarnation } = this.self;
    this.requestSign(aliveStatement(id, incarnation), { kind: 'alive', incarnation });
    this.requestSign(leftStatement(id, incarnation), { kind: 'left', incarnation });
  }

  private requestSign(bytes: Uint8Array, pending: PendingSign): void {
    if (this.pendingSigns.size >= MAX_PENDING_SIGNS) {
      // Only stale requests can fill the table (a host that never answers): drop the oldest.
      const oldest = this.pendingSigns.keys().next().value as number;
      this.pendingSigns.delete(oldest);
    }
    const requestId = this.nextRequestId;
    this.nextRequestId = this.nextRequestId >= Number.MAX_SAFE_INTEGER ? 1 : this.nextRequestId + 1;
    this.pendingSigns.set(requestId, pending);
    this.stats.signRequests++;
    this.effects.push({ kind: 'sign', requestId, bytes });
  }

  /** Up to `count` distinct random linked members other than `except`. */
  private randomLinks(count: number, except: AgentId | null): AgentId[] {
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

  private send(to: AgentId, msg: SwimMessage): void {
    const stats = this.stats;
    switch (msg.type) {
      case 'swim-probe':
        stats.probesSent++;
        stats.factsSent += msg.facts.length;
        break;
      case 'swim-ack':
        stats.acksSent++;
        stats.factsSent += msg.facts.length;
        break;
      case 'swim-probe-req':
        stats.probeRequestsSent++;
        stats.factsSent += msg.facts.length;
        break;
      case 'swim-nack':
        stats.nacksSent++;
        stats.factsSent += msg.facts.length;
        break;
      case 'swim-gossip':
        stats.gossipSent++;
        stats.factsSent += msg.facts.length;
        break;
      default:
        break;
    }
    this.effects.push({ kind: 'send', to, msg });
  }

  private emit(event: SwimEvent): void {
    this.effects.push({ kind: 'event', event });
  }

  private viewHost(): ViewHost {
    return {
      config: this.config,
      prng: this.prng,
      links: this.links,
      isAlive: (peer) => this.table.get(peer)?.status === 'alive',
      isGone: (peer) => {
        const status = this.table.get(peer)?.status;
        return status === 'dead' || status === 'left';
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
