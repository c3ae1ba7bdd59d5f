import type { AgentId } from '../base/ids';
import type { Prng } from '../base/prng';
import type { Millis } from '../base/time';
import type { PeerMessage } from '../wire/messages';
import { isPbftMessageType } from '../wire/pbftMessages';
import { isSwimMessageType } from '../wire/swimMessages';
import type { LinksConfig } from '../links/config';
import { LinksProtocol } from '../links/linksProtocol';
import type { LinksEffect, LinksEvent, LinksInput, LinksSnapshot } from '../links/types';
import type { SwimOverrides } from '../swim/config';
import { SwimProtocol } from '../swim/swimProtocol';
import type {
  MemberStatus,
  QuorumView,
  SwimEffect,
  SwimEvent,
  SwimInput,
  SwimSnapshot,
} from '../swim/types';

export interface AgentConfig {
  selfId: AgentId;
  prng: Prng;
  links?: Partial<Omit<LinksConfig, 'selfId'>>;
  /** Membership, failure detection and gossip settings (core/swim/README.md). */
  swim?: SwimOverrides;
}

/**
 * Everything that can happen to an agent. Time is always part of the input. Membership's input
 * list names every kind an agent takes but reach, which the agent makes itself from the links
 * protocol's events; only an agent's messages are wider: any peer message, routed to the
 * protocol it belongs to.
 */
export type AgentInput =
  | Exclude<SwimInput, { kind: 'message' | 'reach' }>
  | { kind: 'message'; from: AgentId; msg: PeerMessage; nowMs: Millis };

/** Effects every protocol may use besides its own: signing, and asking for a link. */
export type HostRequestEffect = Extract<SwimEffect, { kind: 'sign' | 'connect' }>;

export type AgentEvent = LinksEvent | SwimEvent;

/** Membership's requests to drop a link never leave the agent: the links protocol closes them. */
export type AgentEffect = LinksEffect | Exclude<SwimEffect, { kind: 'dropLink' }>;

export interface AgentSnapshot {
  links: LinksSnapshot;
  swim: SwimSnapshot;
}

type LinksMessageInput = Extract<LinksInput, { kind: 'message' }>;
type SwimMessageInput = Extract<SwimInput, { kind: 'message' }>;

/**
 * One agent: routes each input to the protocols it concerns and returns their effects in one
 * list, in the order they were produced. Links measure and keep links; membership (SWIM) runs
 * beside them, told of every link that comes or goes, and probes over those links. Neither
 * sees the other's state: the agent only forwards link events and membership's requests to
 * drop a link. Later protocols (consensus, tasks) plug in here the same way.
 */
export class Agent {
  readonly selfId: AgentId;
  private readonly links: LinksProtocol;
  private readonly swim: SwimProtocol;

  constructor(config: AgentConfig) {
    this.selfId = config.selfId;
    this.links = new LinksProtocol(config.selfId, config.prng, config.links);
    this.swim = new SwimProtocol(config.selfId, config.prng, config.swim);
  }

  step(input: AgentInput): AgentEffect[] {
    switch (input.kind) {
      case 'message': {
        const { msg } = input;
        // The handshake is the host's business; a hello after it is a protocol error to ignore.
        if (msg.type === 'hello') return [];
        // The pBFT replica is composed beside the agent, not inside it: its messages stop here.
        if (isPbftMessageType(msg.type)) return [];
        // Passing the input on as it is saves a copy per frame on the hottest path.
        if (isSwimMessageType(msg.type)) {
          return this.fromSwim(this.swim.step(input as SwimMessageInput), input.nowMs);
        }
        return this.fromLinks(this.links.step(input as LinksMessageInput), input.nowMs);
      }
      case 'linkUp':
      case 'linkDown':
        // Membership hears of links through the links protocol's events, so it only ever
        // counts links the links protocol accepted.
        return this.fromLinks(this.links.step(input), input.nowMs);
      case 'tick': {
        const effects = this.fromLinks(this.links.step(input), input.nowMs);
        return this.append(effects, this.fromSwim(this.swim.step(input), input.nowMs));
      }
      case 'leave': {
        // Membership announces the signed departure first; then links say bye and close.
        const effects = this.fromSwim(this.swim.step(input), input.nowMs);
        return this.append(effects, this.fromLinks(this.links.step(input), input.nowMs));
      }
      case 'signed':
      case 'setLoad':
      case 'publishFact':
      case 'setGossipInterval':
        return this.fromSwim(this.swim.step(input), input.nowMs);
    }
  }

  nextWakeMs(): Millis | null {
    const links = this.links.nextWakeMs();
    const swim = this.swim.nextWakeMs();
    if (links === null) return swim;
    return swim === null || links < swim ? links : swim;
  }

  snapshot(): AgentSnapshot {
    return { links: this.links.snapshot(), swim: this.swim.snapshot() };
  }

  /** Whether this agent holds a quorum of its agreed membership (split-brain prevention). */
  quorum(): QuorumView {
    return this.swim.quorum();
  }

  /** A member's status as this agent holds it, or null when unknown. */
  memberStatus(peer: AgentId): MemberStatus | null {
    return this.swim.statusOf(peer);
  }

  /** The newest application fact `subject` published under `key`, as this agent knows it. */
  appFact(subject: AgentId, key: string): { value: string; version: number } | null {
    return this.swim.appFact(subject, key);
  }

  /** The agreed membership (the quorum denominator), sorted. */
  agreedMembers(): AgentId[] {
    return this.swim.agreedMembers();
  }

  /** This agent's own incarnation number. */
  incarnation(): number {
    return this.swim.incarnation();
  }

  invariants(): void {
    this.links.invariants();
    this.swim.invariants();
  }

  /** Links effects, with every link and every reach that came or went reported to membership. */
  private fromLinks(effects: LinksEffect[], nowMs: Millis): AgentEffect[] {
    let out: AgentEffect[] = effects;
    for (const effect of effects) {
      if (effect.kind !== 'event') continue;
      const input = this.swimInputOf(effect.event, nowMs);
      if (input === null) continue;
      out = this.append(
        out === effects ? [...effects] : out,
        this.fromSwim(this.swim.step(input), nowMs),
      );
    }
    return out;
  }

  /** What membership hears of a links event, or null when it does not concern it. */
  private swimInputOf(event: LinksEvent, nowMs: Millis): SwimInput | null {
    switch (event.type) {
      case 'link-up':
        return { kind: 'linkUp', peer: event.peer, nowMs };
      case 'link-down':
        return { kind: 'linkDown', peer: event.peer, reason: event.reason, nowMs };
      case 'reach-gained':
        return { kind: 'reach', peer: event.peer, via: event.via, nowMs };
      case 'reach-lost':
        return { kind: 'reach', peer: event.peer, via: null, nowMs };
      case 'link-refused':
        return null;
    }
  }

  /** Membership effects, with its requests to drop a link carried out by the links protocol. */
  private fromSwim(effects: SwimEffect[], nowMs: Millis): AgentEffect[] {
    let drops = false;
    for (let i = 0; i < effects.length && !drops; i++) drops = effects[i]?.kind === 'dropLink';
    if (!drops) return effects as AgentEffect[];
    const out: AgentEffect[] = [];
    for (const effect of effects) {
      if (effect.kind !== 'dropLink') {
        out.push(effect);
        continue;
      }
      const { peer, reason } = effect;
      this.append(
        out,
        this.fromLinks(this.links.step({ kind: 'close', peer, reason, nowMs }), nowMs),
      );
    }
    return out;
  }

  private append(into: AgentEffect[], more: AgentEffect[]): AgentEffect[] {
    for (const effect of more) into.push(effect);
    return into;
  }
}
