import type { AgentId } from '../core/base/ids';
import type { Prng } from '../core/base/prng';
import type { Millis } from '../core/base/time';
import { ByzantineRewriter } from '../core/pbft/byzantine';
import {
  PbftClient,
  type PbftClientConfig,
  type PbftClientEffect,
  type PbftClientEvent,
} from '../core/pbft/client';
import type { PbftOverrides } from '../core/pbft/config';
import type { RecordStore } from './recordStore';
import { PbftReplica } from '../core/pbft/replica';
import type { DigestFn, PbftEffect, PbftEvent, ReplicatedApp } from '../core/pbft/types';
import { decodeFrame, encodeFrame, FrameTooLargeError } from '../core/wire/codec';
import {
  isPbftMessageType,
  PBFT_MAX_MESSAGE_BYTES,
  type PbftMessage,
} from '../core/wire/pbftMessages';
import { signPbftMessage, verifyPbftMessage, VerifiedSignatures } from './pbftSigning';
import type { Clock, CryptoPort, TimerHandle, Transport } from './ports';
import { SerialQueue, startNow } from './serialQueue';

export interface PbftHostOptions {
  selfId: AgentId;
  replicas: readonly AgentId[];
  app: ReplicatedApp;
  digestOf: DigestFn;
  /** The links, or a lane of them carrying the pBFT frames. */
  transport: Transport;
  clock: Clock;
  crypto: CryptoPort;
  /** Seeds the Byzantine rewriter's choices (it does nothing while honest). */
  prng: Prng;
  /** The client's first request number: from the clock, so a reload never reuses one. */
  firstReqNo: number;
  storage?: RecordStore;
  /** The records a previous run persisted, to restart from. */
  stored?: ReadonlyMap<string, string>;
  config?: PbftOverrides;
  client?: Partial<Omit<PbftClientConfig, 'selfId' | 'replicas' | 'firstReqNo'>>;
  onReplicaEvent?: (event: PbftEvent) => void;
  onClientEvent?: (event: PbftClientEvent) => void;
  /**
   * False for an agent outside the replica set: it proposes and reads replies but its replica
   * never runs (it takes no messages and sends none). Default true.
   */
  votes?: boolean;
  /** Every pBFT message sent to or verified from another agent (the dashboard's pulses). */
  onMessage?: (direction: 'in' | 'out', peer: AgentId, msg: PbftMessage) => void;
  /** After every replica step (the simulator checks invariants here). */
  afterStep?: () => void;
}

export interface PbftHostStats {
  framesIn: number;
  /** Frames that did not decode as pBFT messages, and messages with a wrong signature. */
  badFrames: number;
  badSignatures: number;
  /** Messages too large for a frame, dropped (README, "Known limits"). */
  unsendable: number;
  /** Messages sent to other agents, by type (each target counts). */
  sent: Map<string, number>;
}

/**
 * Drives one agent's pBFT replica and client over ports, the same in a page, a Node agent and
 * the simulator. Effect order: a step's effects run strictly in order through one queue: a
 * `persist` is written before anything after it (the sends that depend on it), each send is
 * signed (inner statements first) and encoded once, then handed to the transport for each
 * target. Writes and signatures start as soon as they are queued and overlap (the store
 * completes writes in the order issued); only their outcomes are taken in order; a message to itself goes through the same path on the next timer turn. Incoming
 * frames are decoded and every signature verified (cached) before the replica or the client
 * sees them; one that fails is counted and dropped.
 */
export class PbftHost {
  private current: PbftReplica;
  private voting: boolean;
  readonly client: PbftClient;
  readonly rewriter: ByzantineRewriter;
  readonly stats: PbftHostStats = {
    framesIn: 0,
    badFrames: 0,
    badSignatures: 0,
    unsendable: 0,
    sent: new Map(),
  };
  private readonly outbound = new SerialQueue();
  private readonly verified = new VerifiedSignatures();
  private timer: TimerHandle | null = null;
  private timerAtMs: Millis | null = null;
  private stopped = false;

  constructor(private readonly options: PbftHostOptions) {
    const { selfId, replicas, app, digestOf, config, clock } = options;
    this.rewriter = new ByzantineRewriter(options.prng, digestOf);
    this.voting = options.votes !== false;
    this.current = new PbftReplica({
      selfId,
      replicas,
      app,
      digestOf,
      ...(config === undefined ? {} : { config }),
      ...(options.stored === undefined ? {} : { stored: options.stored, nowMs: clock.nowMs() }),
    });
    this.client = new PbftClient({
      ...options.client,
      selfId,
      replicas,
      firstReqNo: options.firstReqNo,
    });
    options.transport.setHandler({
      onLinkUp: (peer) => this.stepReplica({ kind: 'peerUp', peer, nowMs: clock.nowMs() }),
      onLinkDown: () => undefined,
      onFrame: (peer, frame) => this.onFrame(peer, frame),
    });
    // The restore's effects (replies again, events) and the first timers, on the first turn.
    clock.setTimer(clock.nowMs(), () => this.stepReplica({ kind: 'tick', nowMs: clock.nowMs() }));
  }

  get selfId(): AgentId {
    return this.options.selfId;
  }

  get replica(): PbftReplica {
    return this.current;
  }

  /**
   * A committed change added this agent to the set of `epoch`: a fresh replica that joins by
   * state transfer takes over (the caller cleared the old records from storage first).
   */
  join(join: { epoch: number; replicas: readonly AgentId[] }): void {
    if (this.stopped) return;
    const { selfId, app, digestOf, config } = this.options;
    this.current = new PbftReplica({
      selfId,
      replicas: join.replicas,
      app,
      digestOf,
      join,
      ...(config === undefined ? {} : { config }),
    });
    this.voting = true;
    this.stepReplica({ kind: 'tick', nowMs: this.options.clock.nowMs() });
  }

  /**
   * Others announce a configuration this replica has not reached: compare progress with every
   * replica of its set (as when links come up), so it asks for what it missed.
   */
  nudge(): void {
    const nowMs = this.options.clock.nowMs();
    for (const peer of this.current.replicaIds) {
      if (peer !== this.options.selfId) this.stepReplica({ kind: 'peerUp', peer, nowMs });
    }
  }

  /** The replica set changed: the client sends to, and counts replies from, the new one. */
  reconfigureClient(replicas: readonly AgentId[]): void {
    this.runClient(this.client.reconfigure(replicas));
  }

  /** Proposes an action (JSON text); the outcome comes as a client event with this reqNo. */
  propose(action: string): number {
    const { reqNo, effects } = this.client.propose(action, this.options.clock.nowMs());
    this.runClient(effects);
    return reqNo;
  }

  /** How many replicas this agent reaches now (the membership's reach). */
  setReachable(replicas: number): void {
    this.runClient(this.client.setReachable(replicas, this.options.clock.nowMs()));
  }

  /** Stops timers and ignores whatever arrives later (the agent crashed or left). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private onFrame(peer: AgentId, frame: Uint8Array): void {
    if (this.stopped) return;
    this.stats.framesIn++;
    const decoded = decodeFrame(frame, PBFT_MAX_MESSAGE_BYTES);
    if (!decoded.ok || !isPbftMessageType(decoded.msg.type)) {
      this.stats.badFrames++;
      return;
    }
    this.receive(peer, decoded.msg as PbftMessage);
  }

  private receive(peer: AgentId, msg: PbftMessage): void {
    verifyPbftMessage(
      msg,
      this.options.crypto,
      (valid) => {
        if (this.stopped) return;
        if (!valid) {
          this.stats.badSignatures++;
          return;
        }
        const nowMs = this.options.clock.nowMs();
        if (peer !== this.options.selfId) this.options.onMessage?.('in', peer, msg);
        if (msg.type === 'pbft-reply') this.runClient(this.client.onReply(peer, msg));
        else this.stepReplica({ kind: 'message', from: peer, msg, nowMs });
      },
      this.verified,
    );
  }

  private stepReplica(input: Parameters<PbftReplica['step']>[0]): void {
    if (this.stopped || !this.voting) return;
    const effects = this.rewriter.rewrite(this.current.step(input));
    this.options.afterStep?.();
    this.run(effects);
    this.rearm();
  }

  private runClient(effects: PbftClientEffect[]): void {
    if (this.stopped) return;
    for (const effect of effects) {
      if (effect.kind === 'event') this.options.onClientEvent?.(effect.event);
      else this.queueSend(effect.to, effect.msg);
    }
    this.rearm();
  }

  private run(effects: PbftEffect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'event':
          this.options.onReplicaEvent?.(effect.event);
          break;
        case 'persist': {
          const storage = this.options.storage;
          if (storage === undefined) break;
          // Issued at once (a store completes writes in the order issued), awaited in turn.
          // A stopped host writes nothing more: a new one may already have read the store.
          const write = startNow<void>((done) =>
            this.stopped ? done() : storage.write(effect, done),
          );
          this.outbound.push((done) => write.then(done));
          break;
        }
        case 'send':
          this.queueSend(effect.to, effect.msg);
      }
    }
  }

  private queueSend(to: AgentId[], msg: PbftMessage): void {
    const { selfId, crypto, transport, clock } = this.options;
    // Signed at once, beside the writes and signatures queued before it; sent in turn.
    const signing = startNow<PbftMessage>((done) =>
      signPbftMessage(msg, selfId, crypto, done, this.verified),
    );
    this.outbound.push((done) =>
      signing.then((signed) => {
        if (this.stopped) return done();
        let frame: Uint8Array;
        try {
          frame = encodeFrame(signed, PBFT_MAX_MESSAGE_BYTES);
        } catch (error) {
          // Too large to send (a state over the frame limit): counted and dropped; the queue
          // goes on, or every later write and send would wait forever.
          if (!(error instanceof FrameTooLargeError)) throw error;
          this.stats.unsendable++;
          return done();
        }
        for (const peer of to) {
          if (peer === selfId) {
            clock.setTimer(clock.nowMs(), () => this.receive(selfId, signed));
            continue;
          }
          this.stats.sent.set(signed.type, (this.stats.sent.get(signed.type) ?? 0) + 1);
          transport.send(peer, frame);
          this.options.onMessage?.('out', peer, signed);
        }
        done();
      }),
    );
  }

  private rearm(): void {
    if (this.stopped) return;
    const { clock } = this.options;
    const replicaAt = this.voting ? this.current.nextWakeMs() : null;
    const clientAt = this.client.nextWakeMs();
    const at =
      replicaAt === null ? clientAt : clientAt === null ? replicaAt : Math.min(replicaAt, clientAt);
    if (at === this.timerAtMs) return;
    if (this.timer !== null) clock.clearTimer(this.timer);
    this.timer = null;
    this.timerAtMs = at;
    if (at === null) return;
    this.timer = clock.setTimer(Math.max(at, clock.nowMs()), () => {
      this.timer = null;
      this.timerAtMs = null;
      const nowMs = clock.nowMs();
      this.stepReplica({ kind: 'tick', nowMs });
      this.runClient(this.client.tick(nowMs));
    });
  }
}
