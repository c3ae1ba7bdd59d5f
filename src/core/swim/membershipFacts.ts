import { shortId, type AgentId } from '../base/ids';
import { MAX_U32, type AliveFact, type MembershipFact, type SwimFact } from '../wire/swimMessages';
import type { Gossip } from './gossip';
import type { LoadAndAppFacts } from './loadAndApp';
import type { Member } from './memberTable';
import { isConfirmation, overrides } from './precedence';
import type { Signing } from './signing';
import { Suspicion, suspicionBounds } from './suspicion';
import { seconds, type SwimState } from './swimState';

/**
 * Facts heard or concluded, applied by SWIM's precedence rules: joins, suspicions and their
 * confirmations, dead verdicts, leaves, refutations of what is said about this agent, and the
 * verdicts of this agent's own failure detector.
 */
export class MembershipFacts {
  constructor(
    private readonly s: SwimState,
    private readonly gossip: Gossip,
    private readonly signing: Signing,
    private readonly loadAndApp: LoadAndAppFacts,
  ) {}

  /** Facts piggybacked on a message; returns how many were news. */
  applyFacts(facts: readonly SwimFact[], from: AgentId): number {
    const s = this.s;
    s.stats.factsReceived += facts.length;
    let fresh = 0;
    for (const fact of facts) {
      if (this.applyFact(fact, from)) fresh++;
      else s.queue.noteDuplicate(fact, this.gossip.retransmitLimit());
    }
    s.stats.factsNew += fresh;
    return fresh;
  }

  applyFact(fact: SwimFact, from: AgentId): boolean {
    switch (fact.kind) {
      case 'load':
        return this.loadAndApp.applyLoad(fact);
      case 'app':
        return this.loadAndApp.applyApp(fact);
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
  applyMembership(
    fact: MembershipFact,
    from: AgentId,
    detail: string | null,
    viaSync = false,
  ): boolean {
    const s = this.s;
    if (fact.subject === s.config.selfId) {
      this.onFactAboutSelf(fact);
      return false;
    }
    const current = s.table.get(fact.subject) ?? null;
    if (
      fact.kind === 'dead' &&
      current !== null &&
      current.heardDirectly &&
      (current.status === 'alive' || current.status === 'suspect')
    ) {
      return this.holdVerdict(current, fact, from, viaSync);
    }
    const state = { status: fact.kind, incarnation: fact.incarnation };
    if (isConfirmation(state, current)) {
      const suspicion = (current as Member).suspicion as Suspicion;
      if (!suspicion.confirm((fact as { by: AgentId }).by)) return false;
      s.queue.push(fact);
      return true;
    }
    if (!overrides(state, current)) return false;
    if (current === null) return this.addMember(fact as AliveFact, from, viaSync);
    this.transition(current, fact, from, detail);
    s.queue.push(fact);
    return true;
  }

  /**
   * A dead verdict about a member this agent still hears on its own link (within the reach
   * window) is stale or mistaken: most often it comes from the far side of a partition that
   * just healed. It is held back as a suspicion at the same incarnation (which
   * the member hears of and refutes), and applies only if the member goes quiet here.
   */
  private holdVerdict(
    member: Member,
    fact: Extract<MembershipFact, { kind: 'dead' }>,
    from: AgentId,
    viaSync: boolean,
  ): boolean {
    const suspect: MembershipFact = {
      kind: 'suspect',
      subject: fact.subject,
      incarnation: fact.incarnation,
      by: fact.by,
    };
    const detail = `declared dead by ${shortId(fact.by)}, but still heard here: held as a suspicion until it goes quiet`;
    const news = this.applyMembership(suspect, from, detail, viaSync);
    const suspicion = member.status === 'suspect' ? member.suspicion : null;
    if (suspicion !== null && member.incarnation === fact.incarnation) {
      suspicion.deadReportedBy ??= fact.by;
    }
    return news;
  }

  /** A dead verdict held back while the member was heard applies now that it went quiet. */
  applyHeldVerdict(member: Member, by: AgentId): void {
    const fact: MembershipFact = {
      kind: 'dead',
      subject: member.id,
      incarnation: member.incarnation,
      by,
    };
    const detail = `declared dead by ${shortId(by)}, held while it was heard; not heard since`;
    if (this.applyMembership(fact, this.s.config.selfId, detail)) this.gossip.forward(null);
  }

  /** The prober got no ack from `target`, directly nor through relays: suspect it. */
  probeFailed(target: AgentId, incarnation: number, detail: string): void {
    const fact: MembershipFact = {
      kind: 'suspect',
      subject: target,
      incarnation,
      by: this.s.config.selfId,
    };
    if (this.applyMembership(fact, this.s.config.selfId, detail)) this.gossip.forward(null);
  }

  /** A suspicion ran out here without a refutation. */
  declareDead(member: Member): void {
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
      by: this.s.config.selfId,
    };
    if (this.applyMembership(fact, this.s.config.selfId, detail)) this.gossip.forward(null);
  }

  private addMember(fact: AliveFact, from: AgentId, viaSync: boolean): boolean {
    const s = this.s;
    if (s.table.size >= s.config.maxMembers && !this.forgetOne()) {
      s.stats.membersRefused++;
      return false;
    }
    const heard = from === fact.subject ? 'announced itself' : `heard from ${shortId(from)}`;
    // Every agent keeps this text for every member: joined, not a template (one flat string,
    // not a chain of five pieces), and interned (it names only the incarnation and a neighbour,
    // so agents share few distinct texts).
    const reason = s.interner.intern(
      ['joined at incarnation ', fact.incarnation, ' (', heard, ')'].join(''),
    );
    const member = s.table.add({
      id: fact.subject,
      self: false,
      status: 'alive',
      incarnation: fact.incarnation,
      signature: fact.signature,
      by: null,
      sinceMs: s.nowMs,
      reason,
      suspicion: null,
      agreed: false,
      reached: s.reached.has(fact.subject),
      heardDirectly: s.reached.get(fact.subject) === 'direct',
      load: null,
      app: null,
      appVersionSum: 0,
    });
    s.emit({ type: 'member-alive', peer: member.id, incarnation: fact.incarnation, reason });
    s.agreed.onAlive(member);
    this.becameAlive(member);
    if (viaSync) return false;
    s.queue.push(fact);
    return true;
  }

  private transition(
    member: Member,
    fact: MembershipFact,
    from: AgentId,
    detail: string | null,
  ): void {
    const s = this.s;
    const previous = member.status;
    const incarnation = fact.incarnation;
    const nowMs = s.nowMs;
    switch (fact.kind) {
      case 'alive': {
        s.suspects.delete(member);
        const reason =
          previous === 'suspect'
            ? `refuted the suspicion with incarnation ${incarnation}`
            : previous === 'dead'
              ? `came back from dead with incarnation ${incarnation}`
              : previous === 'left'
                ? `rejoined with incarnation ${incarnation}`
                : member.reason;
        s.table.change(member, (m) => {
          m.status = 'alive';
          m.incarnation = incarnation;
          m.signature = fact.signature;
          m.by = null;
          m.suspicion = null;
          m.reason = reason;
          if (previous !== 'alive') m.sinceMs = nowMs;
        });
        if (previous !== 'alive') {
          s.emit({ type: 'member-alive', peer: member.id, incarnation, reason: reason ?? '' });
          if (previous !== 'suspect') this.becameAlive(member);
        }
        s.agreed.onAlive(member);
        return;
      }
      case 'suspect': {
        const by = fact.by;
        const heard = from === by ? '' : ` (heard from ${shortId(from)})`;
        const reason = detail ?? `suspected by ${shortId(by)}${heard}`;
        const bounds = suspicionBounds(
          s.table.liveCount,
          s.config.probeIntervalMs,
          s.config.suspicionMinMult,
          s.config.suspicionMaxMult,
          s.config.suspicionConfirmations,
        );
        s.table.change(member, (m) => {
          if (m.incarnation !== incarnation) m.signature = null;
          m.status = 'suspect';
          m.incarnation = incarnation;
          m.by = by;
          m.suspicion = new Suspicion(nowMs, by, bounds);
          m.reason = reason;
          if (previous !== 'suspect') m.sinceMs = nowMs;
        });
        s.suspects.add(member);
        s.emit({ type: 'member-suspect', peer: member.id, incarnation, by, reason });
        if (s.config.reprobeSuspects && s.canProbe(member.id)) {
          s.prober.prioritize(member.id);
        }
        return;
      }
      case 'dead':
      case 'left': {
        s.suspects.delete(member);
        const reason =
          fact.kind === 'left'
            ? `left gracefully (signed, incarnation ${incarnation})`
            : (detail ??
              `declared dead by ${shortId(fact.by)}${from === fact.by ? '' : ` (heard from ${shortId(from)})`}`);
        s.table.change(member, (m) => {
          m.status = fact.kind;
          m.incarnation = incarnation;
          m.signature = fact.kind === 'left' ? fact.signature : null;
          m.by = fact.kind === 'dead' ? fact.by : null;
          m.suspicion = null;
          m.reason = reason;
          m.sinceMs = nowMs;
          if (fact.kind === 'left') m.agreed = false;
        });
        s.view.forget(member.id);
        if (fact.kind === 'dead') {
          s.emit({ type: 'member-dead', peer: member.id, incarnation, by: fact.by, reason });
        } else {
          s.emit({ type: 'member-left', peer: member.id, incarnation, reason });
        }
        return;
      }
    }
  }

  /** Someone says something about this agent: a suspicion, death or older life is refuted. */
  private onFactAboutSelf(fact: MembershipFact): void {
    const incarnation = this.s.self.incarnation;
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
      this.s.health.apply(1);
      const verb = fact.kind === 'suspect' ? 'suspected' : 'declared dead';
      why = `${verb} by ${shortId(fact.by)} at incarnation ${fact.incarnation}`;
    }
    this.refute(fact.incarnation + 1, why);
  }

  private refute(incarnation: number, why: string): void {
    const s = this.s;
    if (incarnation > MAX_U32) return;
    s.table.change(s.self, (m) => {
      m.incarnation = incarnation;
      m.signature = null;
    });
    this.signing.forgetSelfSignatures();
    this.signing.requestSelfSignatures();
    s.emit({
      type: 'self-refuted',
      peer: s.config.selfId,
      incarnation,
      reason: `${why}; refuting with incarnation ${incarnation}`,
    });
  }

  /**
   * A member became alive (new, back from dead or rejoined): probe it, and link to it at the
   * end of the step, once the view mode reflects everything the step learned (a sync page can
   * introduce a hundred members: that is a partial view, not a hundred connections).
   */
  private becameAlive(member: Member): void {
    const s = this.s;
    if (s.isRoundCandidate(member.id)) s.prober.addToRound(member.id, s.nowMs);
    if (s.discovered.length < s.config.fullMeshMax) s.discovered.push(member.id);
  }

  /** Makes room in a full table: the longest-gone member outside the agreed membership. */
  private forgetOne(): boolean {
    const table = this.s.table;
    let victim: Member | null = null;
    for (const m of table.values()) {
      if (m.self || m.agreed || (m.status !== 'dead' && m.status !== 'left')) continue;
      if (victim === null || m.sinceMs < victim.sinceMs) victim = m;
    }
    if (victim === null) return false;
    table.remove(victim.id);
    return true;
  }
}
