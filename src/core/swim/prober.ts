import type { AgentId } from '../base/ids';
import { shuffleInPlace, type Prng } from '../base/prng';
import type { Millis } from '../base/time';
import type { SwimConfig } from './config';
import type { LocalHealth } from './localHealth';

/** Suspects waiting to be probed out of turn; more are left to the round robin. */
export const MAX_PRIORITY_PROBES = 8;
/** A relay sends its nack at this fraction of the probe timeout, so it arrives in time. */
export const RELAY_NACK_FRACTION = 0.8;

/** What the prober needs from the protocol around it. */
export interface ProberHost {
  readonly config: SwimConfig;
  readonly prng: Prng;
  readonly health: LocalHealth;
  isLinked(peer: AgentId): boolean;
  /** Alive or suspect, not this agent. */
  isProbeable(peer: AgentId): boolean;
  /** Whether the round robin covers this member now (partial view: linked members only). */
  isRoundCandidate(peer: AgentId): boolean;
  /** Every member the round robin covers now; called once per round. */
  roundCandidates(): AgentId[];
  /** Linked alive members that could probe `target` for us. */
  relayCandidates(target: AgentId): AgentId[];
  incarnationOf(peer: AgentId): number;
  sendProbe(to: AgentId, seq: number, relayed: boolean): void;
  sendAck(to: AgentId, seq: number): void;
  sendProbeRequest(to: AgentId, seq: number, target: AgentId): void;
  sendNack(to: AgentId, seq: number): void;
  probeFailed(target: AgentId, incarnation: number, detail: string): void;
}

interface ProbeInFlight {
  target: AgentId;
  seq: number;
  incarnation: number;
  startedMs: Millis;
  ackDeadlineMs: Millis;
  endMs: Millis;
  phase: 'direct' | 'indirect';
  /** Whether a direct probe went out (false: no link, straight to indirect). */
  direct: boolean;
  relays: AgentId[];
  /** Relays that nacked (each counted once). */
  nacked: AgentId[];
  timeoutMs: number;
}

interface RelayedProbe {
  origin: AgentId;
  originSeq: number;
  target: AgentId;
  deadlineMs: Millis;
}

/**
 * SWIM's failure detector (Das et al. 2002, §3.1 and §4.3) with Lifeguard's nacks and local
 * health (Dadgar et al. 2018, §IV-A). One probe per period to the next member of a shuffled
 * round robin; no ack within the (health-stretched) timeout: ask k linked members to probe it;
 * no ack by the end of the period: the member is suspected. Answers probes and relays
 * indirect probes for others. Suspects are probed out of turn when `reprobeSuspects` is on.
 */
export class Prober {
  nextProbeAtMs: Millis | null = null;
  private round: AgentId[] = [];
  private readonly priority: AgentId[] = [];
  private inFlight: ProbeInFlight | null = null;
  private readonly relays = new Map<number, RelayedProbe>();
  private nextSeq = 1;

  constructor(private readonly host: ProberHost) {}

  get relayCount(): number {
    return this.relays.size;
  }

  get currentTarget(): AgentId | null {
    return this.inFlight?.target ?? null;
  }

  /** Starts probing at a random point of the first period, so agents do not probe in step. */
  start(nowMs: Millis): void {
    if (this.nextProbeAtMs === null && this.inFlight === null) {
      this.nextProbeAtMs = nowMs + this.host.prng.nextFloat() * this.host.config.probeIntervalMs;
    }
  }

  /**
   * A member became a round candidate: it joins the current round at a random place (as
   * memberlist), so a newcomer is probed within one round. Rounds are short (full mesh: at most
   * fullMeshMax; partial view: the active view), so the scan for duplicates is cheap.
   */
  addToRound(peer: AgentId, nowMs: Millis): void {
    if (!this.round.includes(peer)) {
      this.round.splice(this.host.prng.nextInt(this.round.length + 1), 0, peer);
    }
    this.start(nowMs);
  }

  /** Probe this suspect next, ahead of the round (one probe a period all the same). */
  prioritize(peer: AgentId): void {
    if (this.inFlight?.target === peer || this.priority.includes(peer)) return;
    if (this.priority.length >= MAX_PRIORITY_PROBES) return;
    this.priority.push(peer);
  }

  wakeMs(): Millis | null {
    let wake: Millis | null = null;
    const probe = this.inFlight;
    if (probe !== null) {
      wake = probe.phase === 'direct' ? probe.ackDeadlineMs : probe.endMs;
    } else {
      wake = this.nextProbeAtMs;
    }
    for (const relay of this.relays.values()) {
      if (wake === null || relay.deadlineMs < wake) wake = relay.deadlineMs;
    }
    return wake;
  }

  tick(nowMs: Millis): void {
    for (const [seq, relay] of this.relays) {
      if (nowMs >= relay.deadlineMs) {
        this.relays.delete(seq);
        this.host.sendNack(relay.origin, relay.originSeq);
      }
    }
    const probe = this.inFlight;
    if (probe !== null) {
      if (probe.phase === 'direct' && nowMs >= probe.ackDeadlineMs) this.goIndirect(probe);
      if (nowMs >= probe.endMs) this.conclude(probe);
    }
    if (this.inFlight === null && this.nextProbeAtMs !== null && nowMs >= this.nextProbeAtMs) {
      this.startProbe(nowMs);
    }
  }

  onProbe(from: AgentId, seq: number): void {
    this.host.sendAck(from, seq);
  }

  onAck(from: AgentId, seq: number): void {
    const relay = this.relays.get(seq);
    if (relay !== undefined) {
      if (from !== relay.target) return;
      this.relays.delete(seq);
      this.host.sendAck(relay.origin, relay.originSeq);
      return;
    }
    const probe = this.inFlight;
    if (probe === null || probe.seq !== seq) return;
    if (from !== probe.target && !probe.relays.includes(from)) return;
    this.inFlight = null;
    this.host.health.apply(-1);
  }

  onNack(from: AgentId, seq: number): void {
    const probe = this.inFlight;
    if (probe === null || probe.seq !== seq || !probe.relays.includes(from)) return;
    if (!probe.nacked.includes(from)) probe.nacked.push(from);
  }

  /** Someone asks us to probe `target` for it: relay, or nack at once when we cannot. */
  onProbeRequest(from: AgentId, seq: number, target: AgentId, nowMs: Millis): void {
    const { config } = this.host;
    if (
      target === config.selfId ||
      !this.host.isLinked(target) ||
      this.relays.size >= config.maxRelayedProbes
    ) {
      this.host.sendNack(from, seq);
      return;
    }
    const relaySeq = this.takeSeq();
    this.relays.set(relaySeq, {
      origin: from,
      originSeq: seq,
      target,
      deadlineMs: nowMs + RELAY_NACK_FRACTION * config.probeTimeoutMs,
    });
    this.host.sendProbe(target, relaySeq, true);
  }

  /**
   * This agent was stalled (its inputs came late): whatever it was measuring says more about
   * itself than about the target, so the probe in flight and the relays are dropped unjudged.
   */
  abandon(nowMs: Millis): void {
    this.inFlight = null;
    this.relays.clear();
    this.nextProbeAtMs = nowMs + this.host.health.scale(this.host.config.probeIntervalMs);
  }

  /** Stops everything (this agent left). */
  stop(): void {
    this.inFlight = null;
    this.relays.clear();
    this.nextProbeAtMs = null;
    this.round = [];
    this.priority.length = 0;
  }

  private takeSeq(): number {
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) >>> 0 || 1;
    return seq;
  }

  private nextTarget(): AgentId | null {
    while (this.priority.length > 0) {
      const peer = this.priority.shift() as AgentId;
      if (this.host.isProbeable(peer)) return peer;
    }
    let refilled = false;
    for (;;) {
      const peer = this.round.pop();
      if (peer === undefined) {
        if (refilled) return null;
        refilled = true;
        this.round = shuffleInPlace(this.host.roundCandidates(), this.host.prng);
        continue;
      }
      if (this.host.isRoundCandidate(peer)) return peer;
    }
  }

  private startProbe(nowMs: Millis): void {
    const target = this.nextTarget();
    if (target === null) {
      this.nextProbeAtMs = null;
      return;
    }
    const { config, health } = this.host;
    const timeoutMs = health.scale(config.probeTimeoutMs);
    const probe: ProbeInFlight = {
      target,
      seq: this.takeSeq(),
      incarnation: this.host.incarnationOf(target),
      startedMs: nowMs,
      ackDeadlineMs: nowMs + timeoutMs,
      endMs: nowMs + health.scale(config.probeIntervalMs),
      phase: 'direct',
      direct: this.host.isLinked(target),
      relays: [],
      nacked: [],
      timeoutMs,
    };
    this.inFlight = probe;
    this.nextProbeAtMs = probe.endMs;
    if (probe.direct) this.host.sendProbe(target, probe.seq, false);
    else this.goIndirect(probe);
  }

  private goIndirect(probe: ProbeInFlight): void {
    const retry = probe.phase === 'direct' && probe.direct && this.host.isLinked(probe.target);
    probe.phase = 'indirect';
    // memberlist's fallback: the target is asked once more directly, alongside the relays, so
    // one lost datagram is not enough for a suspicion (in a partial view few relays share a
    // link with the target and most can only nack).
    if (retry) this.host.sendProbe(probe.target, probe.seq, false);
    const candidates = this.host.relayCandidates(probe.target);
    shuffleInPlace(candidates, this.host.prng);
    probe.relays = candidates.slice(0, this.host.config.indirectProbes);
    for (const relay of probe.relays) this.host.sendProbeRequest(relay, probe.seq, probe.target);
  }

  private conclude(probe: ProbeInFlight): void {
    this.inFlight = null;
    const expected = probe.relays.length;
    const nacks = probe.nacked.length;
    // Lifeguard: relays that did not even nack point at ourselves; without relays, any
    // failed probe counts against our own health (memberlist's awarenessDelta).
    this.host.health.apply(expected > 0 ? Math.max(0, expected - nacks) : 1);
    const direct = probe.direct
      ? `no ack to a direct probe within ${Math.round(probe.timeoutMs)} ms nor to its retry`
      : 'no link for a direct probe';
    const indirect =
      expected === 0
        ? 'no member to probe it indirectly'
        : `no ack through ${expected} indirect probe${expected === 1 ? '' : 's'} (${nacks} nack${nacks === 1 ? '' : 's'})`;
    if (this.host.isProbeable(probe.target)) {
      this.host.probeFailed(probe.target, probe.incarnation, `${direct}, ${indirect}`);
    }
  }
}
