import type { AgentId } from '../base/ids';
import type { Prng } from '../base/prng';
import type { PbftMessage, PbftPrePrepareMessage } from '../wire/pbftMessages';
import { PBFT_BEHAVIOURS, type PbftBehaviour } from '../wire/byzantineBehaviours';
import { batchDigest } from './batch';
import type { DigestFn, PbftEffect } from './types';

export { PBFT_BEHAVIOURS, type PbftBehaviour };

/** Old messages a replaying replica keeps to send again. */
const REPLAY_RING = 64;

/**
 * Turns an honest replica's outgoing effects into a faulty one's. The honest code never knows:
 * a Byzantine agent runs the same replica and passes its effects through here before its host
 * signs and sends them, so what it sends is signed with its real key, as a real attacker's
 * would be. Signatures it cannot make (other replicas') it cannot forge: the host would sign
 * them as itself, and receivers reject them.
 */
export class ByzantineRewriter {
  behaviour: PbftBehaviour = 'honest';
  private readonly sent: PbftMessage[] = [];

  constructor(
    private readonly prng: Prng,
    private readonly digestOf: DigestFn,
  ) {}

  rewrite(effects: PbftEffect[]): PbftEffect[] {
    if (this.behaviour === 'honest') return effects;
    const out: PbftEffect[] = [];
    for (const effect of effects) {
      if (effect.kind !== 'send') {
        out.push(effect);
        continue;
      }
      for (const rewritten of this.rewriteSend(effect.to, effect.msg)) out.push(rewritten);
    }
    return out;
  }

  private rewriteSend(to: AgentId[], msg: PbftMessage): PbftEffect[] {
    switch (this.behaviour) {
      case 'silent':
        // Withholds every protocol message; it still answers clients, so only agreement suffers.
        return msg.type === 'pbft-reply' ? [send(to, msg)] : [];
      case 'equivocate':
        return msg.type === 'pbft-pre-prepare' ? this.equivocate(to, msg) : [send(to, msg)];
      case 'wrong-digest':
        return [send(to, this.withDigest(msg, this.randomDigest()))];
      case 'conflicting-votes': {
        if (msg.type !== 'pbft-prepare' && msg.type !== 'pbft-commit') return [send(to, msg)];
        const [first, second] = halves(to);
        return [send(first, msg), send(second, this.withDigest(msg, this.randomDigest()))];
      }
      case 'replay':
        return this.replay(to, msg);
      case 'forge-view-change':
        return msg.type === 'pbft-view-change' ? this.forgeViewChange(to, msg) : [send(to, msg)];
      case 'honest':
        return [send(to, msg)];
    }
  }

  /** Half the backups get the honest batch, the other half another one (the batch reversed, or empty). */
  private equivocate(to: AgentId[], msg: PbftPrePrepareMessage): PbftEffect[] {
    const [first, second] = halves(to);
    const requests = msg.requests.length > 1 ? [...msg.requests].reverse() : [];
    const other: PbftPrePrepareMessage = {
      ...msg,
      requests,
      digest: batchDigest(requests, this.digestOf),
    };
    return [send(first, msg), send(second, other)];
  }

  private replay(to: AgentId[], msg: PbftMessage): PbftEffect[] {
    const out = [send(to, msg)];
    if (this.sent.length > 0) {
      out.push(send(to, this.sent[this.prng.nextInt(this.sent.length)] as PbftMessage));
    }
    this.sent.push(msg);
    if (this.sent.length > REPLAY_RING) this.sent.splice(0, this.sent.length - REPLAY_RING);
    return out;
  }

  /**
   * A view change that hides what this replica prepared (stale proofs) and asks for a view far
   * ahead; honest replicas must neither lose a committed batch nor follow it alone.
   */
  private forgeViewChange(
    to: AgentId[],
    msg: Extract<PbftMessage, { type: 'pbft-view-change' }>,
  ): PbftEffect[] {
    const hidden = { ...msg, prepared: [] };
    const ahead = { ...msg, prepared: [], newView: msg.newView + 1 + this.prng.nextInt(8) };
    return [send(to, hidden), send(to, ahead)];
  }

  private withDigest(msg: PbftMessage, digest: string): PbftMessage {
    switch (msg.type) {
      case 'pbft-pre-prepare':
      case 'pbft-prepare':
      case 'pbft-commit':
        return { ...msg, digest };
      case 'pbft-checkpoint':
        return { ...msg, stateDigest: digest };
      default:
        return msg;
    }
  }

  private randomDigest(): string {
    let hex = '';
    for (let i = 0; i < 8; i++) hex += this.prng.nextU32().toString(16).padStart(8, '0');
    return hex;
  }
}

function send(to: AgentId[], msg: PbftMessage): PbftEffect {
  return { kind: 'send', to, msg };
}

function halves(to: AgentId[]): [AgentId[], AgentId[]] {
  const middle = Math.ceil(to.length / 2);
  return [to.slice(0, middle), to.slice(middle)];
}
