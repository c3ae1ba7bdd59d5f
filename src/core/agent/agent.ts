import type { AgentId } from '../base/ids';
import type { StringInterner } from '../base/interner';
import type { Prng } from '../base/prng';
import type { Millis } from '../base/time';
import type { PeerMessage, PeerMessageType } from '../wire/messages';
import { SWIM_MESSAGE_TYPES } from '../wire/swimMessages';
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
  /** Shares the texts membership keeps per member (a simulator passes one to every agent). */
  interner?: StringInterner;
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

type MessageInput = Extract<AgentInput, { kind: 'message' }>;
type LinksMessageInput = Extract<LinksInput, { kind: 'message' }>;
type SwimMessageInput = Extract<SwimInput, { kind: 'message' }>;

/** The links protocol's messages; SWIM's are SWIM_MESSAGE_TYPES. */
const LINKS_MESSAGE_TYPES: readonly PeerMessageType[] = ['ping', 'pong', 'links', 'bye'];

/** What the agent asks of every protocol module it composes besides its inputs. */
interface AgentModule {
  nextWakeMs(): Millis | null;
  invariants(): void;
}

/**
 * One agent: routes each input to the protocols it concerns and returns their effects in one
 * list, in the order they were produced. Messages go by type through one table built from each
 * module's message types; wake-ups and invariants go over the module list. Links measure and
 * keep links; membership (SWIM) runs beside them, told of every link that comes or goes, and
 * probes over those links. Neither sees the other's state: the agent only forwards link events
 * and membership's requests to drop a link. Messages no module claims stop here: the hello (the
 * host's handshake) and pBFT's, whose replica has a host of its own (host/pbftHost.ts) because
 * its effects wait for storage and signatures in order (README.md).
 */
export class Agent {
  readonly selfId: AgentId;
  private readonly links: LinksProtocol;
  private readonly swim: SwimProtocol;
  private readonly modules: readonly AgentModule[];
  private readonly routes = new Map<PeerMessageType, (input: MessageInput) => AgentEffect[]>();

  constructor(config: AgentConfig) {
    this.selfId = config.selfId;
    this.links = new LinksProtocol(config.selfId, config.prng, config.links);
    this.swim = new SwimProtocol(config.selfId, config.prng, config.swim, config.interner);
    this.modules = [this.links, this.swim];
    // Passing the input on as it is saves a copy per frame on the hottest path.
    for (const type of LINKS_MESSAGE_TYPES) {
      this.routes.set(type, (input) =>
        this.fromLinks(this.links.step(input as LinksMessageInput), input.nowMs),
      );
    }
    for (const type of SWIM_MESSAGE_TYPES) {
      this.routes.set(type, (input) =>
        this.fromSwim(this.swim.step(input as SwimMessageInput), input.nowMs),
      );
    }
  }

  step(input: AgentInput): AgentEffect[] {
    switch (input.kind) {
      case 'message':
        return this.routes.get(input.msg.type)?.(input) ?? [];
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
    let wake: Millis | null = null;
    for (const module of this.modules) {
      const at = module.nextWakeMs();
      if (at !== null && (wake === null || at < wake)) wake = at;
    }
    return wake;
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
    for (const module of this.modules) module.invariants();
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
