import type { AgentId } from '../base/ids';
import type { Prng } from '../base/prng';
import type { Millis } from '../base/time';
import type { PeerMessage } from '../wire/messages';
import type { LinksConfig } from '../links/config';
import { LinksProtocol } from '../links/linksProtocol';
import type { LinksEffect, LinksInput, LinksSnapshot } from '../links/types';

export interface AgentConfig {
  selfId: AgentId;
  prng: Prng;
  links?: Partial<Omit<LinksConfig, 'selfId'>>;
}

/** Everything that can happen to an agent. Time is always part of the input. */
export type AgentInput =
  | { kind: 'linkUp'; peer: AgentId; nowMs: Millis }
  | { kind: 'linkDown'; peer: AgentId; reason: string; nowMs: Millis }
  | { kind: 'message'; from: AgentId; msg: PeerMessage; nowMs: Millis }
  | { kind: 'tick'; nowMs: Millis }
  | { kind: 'leave'; nowMs: Millis }
  /** The host's answer to a `sign` effect. */
  | { kind: 'signed'; requestId: number; signature: string; nowMs: Millis };

/** Effects every protocol may use besides its own: signing, and asking for a link. */
export type HostRequestEffect =
  /** Sign `bytes` with this agent's key; the signature comes back as a `signed` input. */
  | { kind: 'sign'; requestId: number; bytes: Uint8Array }
  /** Open a link to a member learned of through the mesh. */
  | { kind: 'connect'; peer: AgentId };

export type AgentEffect = LinksEffect | HostRequestEffect;
export type AgentEvent = Extract<AgentEffect, { kind: 'event' }>['event'];

export interface AgentSnapshot {
  links: LinksSnapshot;
}

/**
 * One agent: routes each input to the protocols it concerns and returns their effects in one
 * list, in the order they were produced. Later protocols (membership, consensus, tasks) plug in
 * here; none of them sees another's state.
 */
export class Agent {
  readonly selfId: AgentId;
  private readonly links: LinksProtocol;

  constructor(config: AgentConfig) {
    this.selfId = config.selfId;
    this.links = new LinksProtocol(config.selfId, config.prng, config.links);
  }

  step(input: AgentInput): AgentEffect[] {
    if (input.kind === 'signed') return [];
    if (input.kind === 'message') {
      const { msg } = input;
      // The handshake is the host's business; a hello after it is a protocol error to ignore.
      if (msg.type === 'hello') return [];
      // Every other message is a links message; passing the input on as it is saves a copy per frame.
      return this.links.step(input as Extract<LinksInput, { kind: 'message' }>);
    }
    return this.links.step(input);
  }

  nextWakeMs(): Millis | null {
    return this.links.nextWakeMs();
  }

  snapshot(): AgentSnapshot {
    return { links: this.links.snapshot() };
  }

  invariants(): void {
    this.links.invariants();
  }
}
