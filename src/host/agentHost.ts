import type {
  Agent,
  AgentEffect,
  AgentEvent,
  AgentInput,
  AgentSnapshot,
} from '../core/agent/agent';
import { shortId, type AgentId } from '../core/base/ids';
import { Interner, type StringInterner } from '../core/base/interner';
import type { LoadSummary } from '../core/wire/swimMessages';
import { signedClaimsOf, type SignedClaim } from '../core/wire/claims';
import {
  decodeFrame,
  encodeFrame,
  FrameTooLargeError,
  type DecodeFailure,
} from '../core/wire/codec';
import { DEFAULT_MAX_FRAME_BYTES, type PeerMessage } from '../core/wire/messages';
import type {
  Clock,
  CryptoPort,
  MeshEvent,
  MeshEventLevel,
  Observer,
  TimerHandle,
  Transport,
} from './ports';
import { VERIFIED_CLAIMS_KEPT, VerifiedClaims } from './verifiedClaims';

export interface HostStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  framesRejected: Record<DecodeFailure, number>;
  framesTooLargeToSend: number;
  /** Messages dropped because a signed claim in them did not verify. */
  forgedMessages: number;
}

export interface HostSnapshot {
  selfId: AgentId;
  nowMs: number;
  agent: AgentSnapshot;
  stats: HostStats;
}

export interface AgentHostOptions {
  agent: Agent;
  transport: Transport;
  clock: Clock;
  observer?: Observer;
  /** Needed once a protocol signs or receives signed claims. */
  crypto?: CryptoPort;
  maxFrameBytes?: number;
  /**
   * Claims already verified (default: a cache of this host's own, of VERIFIED_CLAIMS_KEPT). A
   * simulator shares one among hosts whose crypto ports agree (see VerifiedClaims).
   */
  verifiedClaims?: VerifiedClaims;
  /**
   * Where decoded ids and signatures get their shared copy (default: one of this host's own,
   * of INTERNED_STRINGS_KEPT). A simulator passes one interner to all its hosts.
   */
  interner?: StringInterner;
}

/** How loud each agent event is in the event log; anything else is a warning. */
const EVENT_LEVELS: Partial<Record<AgentEvent['type'], MeshEventLevel>> = {
  'link-up': 'info',
  'reach-gained': 'info',
  'member-alive': 'info',
  'member-left': 'info',
  'member-evicted': 'info',
  'quorum-gained': 'info',
};

/** Ids and signatures a host shares copies of: an id and a few signatures per member. */
const INTERNED_STRINGS_KEPT = 8192;

function emptyRejections(): Record<DecodeFailure, number> {
  return {
    oversized: 0,
    truncated: 0,
    'bad-version': 0,
    'unknown-type': 0,
    'malformed-body': 0,
    'invalid-fields': 0,
  };
}

/**
 * Drives one Agent with real or simulated ports. Inputs are fed one at a time; the effects of
 * each step run in the order the agent returned them (sends, closes and events interleaved as
 * produced); then the single wake-up timer is re-armed if the agent wants an earlier tick.
 */
export class AgentHost {
  readonly selfId: AgentId;
  readonly stats: HostStats = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    framesRejected: emptyRejections(),
    framesTooLargeToSend: 0,
    forgedMessages: 0,
  };
  private readonly agent: Agent;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly observer: Observer | undefined;
  private readonly crypto: CryptoPort | undefined;
  private readonly maxFrameBytes: number;
  private readonly interner: StringInterner;
  private readonly verifiedClaims: VerifiedClaims;
  /** Inputs wait here while a step's effects run, so callbacks never re-enter a step. */
  private readonly inputs: AgentInput[] = [];
  private stepping = false;
  private timer: TimerHandle | null = null;
  private timerAtMs: number | null = null;
  private stopped = false;
  /** The last message encoded in the current step and its frame (transports must not mutate it). */
  private lastEncoded: PeerMessage | null = null;
  private lastFrame: Uint8Array | null = null;

  constructor(options: AgentHostOptions) {
    this.agent = options.agent;
    this.selfId = options.agent.selfId;
    this.transport = options.transport;
    this.clock = options.clock;
    this.observer = options.observer;
    this.crypto = options.crypto;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.interner = options.interner ?? new Interner(INTERNED_STRINGS_KEPT);
    this.verifiedClaims =
      options.verifiedClaims ?? new VerifiedClaims(VERIFIED_CLAIMS_KEPT, this.interner);
  }

  start(): void {
    this.transport.setHandler({
      onLinkUp: (peer) => this.feed({ kind: 'linkUp', peer, nowMs: this.clock.nowMs() }),
      onLinkDown: (peer, reason) =>
        this.feed({ kind: 'linkDown', peer, reason, nowMs: this.clock.nowMs() }),
      onFrame: (peer, frame) => this.onFrame(peer, frame),
    });
    this.feed({ kind: 'tick', nowMs: this.clock.nowMs() });
  }

  /** Tells the agent its own load; it gossips the summary when it moved enough. */
  setLoad(load: LoadSummary): void {
    this.feed({ kind: 'setLoad', load, nowMs: this.clock.nowMs() });
  }

  /** Publishes a small application fact under `key`, gossiped to every member. */
  publishFact(key: string, value: string): void {
    this.feed({ kind: 'publishFact', key, value, nowMs: this.clock.nowMs() });
  }

  /** Applies an agreed gossip interval (a committed `mesh.config` action). */
  setGossipIntervalMs(gossipIntervalMs: number): void {
    this.feed({ kind: 'setGossipInterval', gossipIntervalMs, nowMs: this.clock.nowMs() });
  }

  /** Says bye on every link, then stops driving the agent. */
  leave(): void {
    if (this.stopped) return;
    this.feed({ kind: 'leave', nowMs: this.clock.nowMs() });
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerAtMs = null;
  }

  snapshot(): HostSnapshot {
    return {
      selfId: this.selfId,
      nowMs: this.clock.nowMs(),
      agent: this.agent.snapshot(),
      stats: { ...this.stats, framesRejected: { ...this.stats.framesRejected } },
    };
  }

  /** The newest application fact `subject` published under `key`, as the agent knows it. */
  appFact(subject: AgentId, key: string): string | null {
    return this.agent.appFact(subject, key)?.value ?? null;
  }

  /** The agreed membership (the quorum denominator), sorted. */
  agreedMembers(): AgentId[] {
    return this.agent.agreedMembers();
  }

  /** For checkers: the agent's invariants, asserted. */
  checkInvariants(): void {
    this.agent.invariants();
  }

  private onFrame(peer: AgentId, frame: Uint8Array): void {
    if (this.stopped) return;
    this.stats.framesIn++;
    this.stats.bytesIn += frame.length;
    const decoded = decodeFrame(frame, this.maxFrameBytes, this.interner);
    if (!decoded.ok) {
      this.stats.framesRejected[decoded.reason]++;
      this.emit({
        level: 'warn',
        kind: 'frame-rejected',
        peer,
        detail: `${decoded.reason}: ${decoded.detail}`,
      });
      return;
    }
    const msg = decoded.msg;
    const claims = signedClaimsOf(msg);
    if (claims.length === 0) {
      this.feed({ kind: 'message', from: peer, msg, nowMs: this.clock.nowMs() });
      return;
    }
    this.verifyClaims(peer, claims, () =>
      this.feed({ kind: 'message', from: peer, msg, nowMs: this.clock.nowMs() }),
    );
  }

  /** Runs `accept` once every claim verified; drops the message at the first forged one. */
  private verifyClaims(peer: AgentId, claims: SignedClaim[], accept: () => void): void {
    const crypto = this.crypto;
    // The loop itself counts as one pending check, so a port that answers synchronously
    // cannot settle the message before every claim was looked at; `accepted` makes it once.
    let pending = 1;
    let rejected = false;
    let accepted = false;
    const settle = () => {
      if (rejected || accepted || pending !== 0) return;
      accepted = true;
      accept();
    };
    for (const claim of claims) {
      if (rejected) break;
      const statement = this.verifiedClaims.statementOf(claim);
      if (this.verifiedClaims.has(claim, statement)) continue;
      if (crypto === undefined) {
        rejected = true;
        break;
      }
      pending++;
      crypto.verify(claim.signer, claim.signature, claim.bytes, (valid) => {
        if (rejected) return;
        if (!valid) {
          rejected = true;
          this.stats.forgedMessages++;
          this.emit({
            level: 'warn',
            kind: 'forged-claim',
            peer,
            detail: `claim by ${shortId(claim.signer)} does not verify`,
          });
          return;
        }
        this.verifiedClaims.remember(claim, statement);
        pending--;
        settle();
      });
    }
    if (rejected && crypto === undefined) {
      this.stats.forgedMessages++;
      this.emit({
        level: 'error',
        kind: 'forged-claim',
        peer,
        detail: 'no crypto port to verify signed claims',
      });
      return;
    }
    pending--;
    settle();
  }

  private feed(input: AgentInput): void {
    if (this.stopped) return;
    this.inputs.push(input);
    if (this.stepping) return;
    this.stepping = true;
    try {
      for (let next = this.inputs.shift(); next !== undefined; next = this.inputs.shift()) {
        if (this.stopped) break;
        const effects = this.agent.step(next);
        for (const effect of effects) this.execute(effect);
        this.lastEncoded = null;
        this.lastFrame = null;
      }
    } finally {
      this.stepping = false;
      this.inputs.length = 0;
    }
    this.armTimer();
  }

  private execute(effect: AgentEffect): void {
    switch (effect.kind) {
      case 'send': {
        let frame: Uint8Array;
        // A message sent to several peers in one step (an advert) is one object: encode it once.
        if (effect.msg === this.lastEncoded && this.lastFrame !== null) {
          frame = this.lastFrame;
        } else {
          try {
            frame = encodeFrame(effect.msg, this.maxFrameBytes);
          } catch (error) {
            if (!(error instanceof FrameTooLargeError)) throw error;
            this.stats.framesTooLargeToSend++;
            this.emit({
              level: 'error',
              kind: 'frame-too-large',
              peer: effect.to,
              detail: error.message,
            });
            return;
          }
          this.lastEncoded = effect.msg;
          this.lastFrame = frame;
        }
        this.stats.framesOut++;
        this.stats.bytesOut += frame.length;
        this.transport.send(effect.to, frame);
        return;
      }
      case 'close':
        this.transport.close(effect.peer, effect.reason);
        return;
      case 'connect':
        this.transport.connect(effect.peer);
        return;
      case 'sign': {
        const crypto = this.crypto;
        if (crypto === undefined)
          throw new Error('the agent asked to sign but the host has no crypto port');
        const { requestId } = effect;
        crypto.sign(effect.bytes, (signature) =>
          this.feed({ kind: 'signed', requestId, signature, nowMs: this.clock.nowMs() }),
        );
        return;
      }
      case 'event':
        this.emitAgentEvent(effect.event);
        return;
    }
  }

  private emitAgentEvent(event: AgentEvent): void {
    const detail = 'reason' in event ? event.reason : undefined;
    const level = EVENT_LEVELS[event.type] ?? 'warn';
    this.emit({
      level,
      kind: event.type,
      peer: event.peer,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  private emit(event: Omit<MeshEvent, 'atMs'>): void {
    this.observer?.onEvent({ atMs: this.clock.nowMs(), ...event });
  }

  private armTimer(): void {
    const wakeAtMs = this.agent.nextWakeMs();
    if (wakeAtMs === this.timerAtMs) return;
    // The wake-up moved (an ack came before its deadline, say): a timer for the old time would
    // only deliver a tick with nothing to do, so it is replaced.
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerAtMs = null;
    if (wakeAtMs === null) return;
    this.timerAtMs = wakeAtMs;
    this.timer = this.clock.setTimer(wakeAtMs, () => {
      this.timer = null;
      this.timerAtMs = null;
      this.feed({ kind: 'tick', nowMs: this.clock.nowMs() });
    });
  }
}
