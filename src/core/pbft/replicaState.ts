import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { PbftMessage, PbftNewViewMessage, PbftViewChange } from '../wire/pbftMessages';
import { BatchStore, batchDigest } from './batch';
import { Checkpoints } from './checkpoints';
import { DurableChanges } from './durability';
import { ClientTable } from './clientTable';
import type { PbftConfig } from './config';
import { GENESIS_DIGEST, type PbftConfiguration } from './epochs';
import { PendingRequests } from './pendingRequests';
import { ReplicaSet } from './replicaSet';
import { SlotLog } from './slotLog';
import type { DigestFn, PbftEffect, PbftEvent, PbftRejection, ReplicatedApp } from './types';

/** Answers to a catch-up: per sequence number, the digest each peer says it executed. */
export interface CatchUp {
  claims: Map<number, Map<AgentId, string>>;
  askedAtMs: Millis;
  /** Which replica the next state request goes to (turns through the set). */
  stateTurn: number;
}

/**
 * Everything one replica holds, shared by the modules that handle its messages. Effects of one
 * step collect in `effects`; the replica returns and clears them.
 */
export class ReplicaState {
  /** The running configuration's set; replaced when a committed change starts a new epoch. */
  set: ReplicaSet;
  /** The running configuration, as the replicated state records it. */
  configuration: PbftConfiguration;
  /**
   * The epoch is closing: the batch at `seq` named the next configuration. Nothing above it
   * runs or is proposed until the checkpoint at `seq` is stable in this epoch (a quorum of
   * this set executed it), so the epoch ends only where a laggard can still get to.
   */
  closing: { seq: number; configuration: PbftConfiguration } | null = null;
  /** The set of the epoch before, once this replica moved on: its laggards may still ask. */
  previousSet: ReplicaSet | null = null;
  /**
   * A replica added by a change: until it holds the epoch's state (taken by state transfer)
   * it only asks for it, and votes on nothing.
   */
  joining = false;
  /**
   * States other replicas sent without a certificate this set checks (an epoch's base, or a
   * checkpoint of an epoch this replica has not reached): one each, newest; taken once f + 1
   * of them match, since one of those is correct.
   */
  readonly stateClaims = new Map<AgentId, { seq: number; stateDigest: string; snapshot: string }>();
  view = 0;
  status: 'normal' | 'view-change' = 'normal';
  /** While changing views: the view this replica is moving to. */
  targetView = 0;
  /** View changes in a row without an execution: each doubles the timeout. */
  failedViewChanges = 0;
  lastExecutedSeq = 0;
  /** The primary's next sequence number to assign. */
  nextSeq = 1;
  readonly log = new SlotLog();
  readonly checkpoints = new Checkpoints();
  readonly clients: ClientTable;
  readonly pending: PendingRequests;
  readonly batches: BatchStore;
  readonly durable: DurableChanges;
  /** Requests the primary put in a batch of this view that is not executed yet. */
  readonly inFlight = new Set<string>();
  /** The newest view change from each replica. */
  readonly viewChanges = new Map<AgentId, PbftViewChange>();
  /** Replicas seen speaking in a view above this one, and the view (normal-case messages). */
  readonly higherViews = new Map<AgentId, number>();
  /** The new view this replica entered last, to hand to replicas still changing to it. */
  lastNewView: PbftNewViewMessage | null = null;
  /** Digests named by a new view whose batch this replica still lacks, and when it asked. */
  readonly wantedBatches = new Map<string, Millis>();
  catchUp: CatchUp = { claims: new Map(), askedAtMs: -Infinity, stateTurn: 0 };
  /**
   * Request timer (Castro-Liskov 4.4): started for one pending request; a view change starts
   * if that request is not executed by then. It moves on only when that request ran.
   */
  requestDeadlineMs: Millis | null = null;
  timedRequest: string | null = null;
  /** View-change timer: no new view by then moves on to the next view. */
  viewChangeDeadlineMs: Millis | null = null;
  lastProgressMs: Millis = 0;
  /** When this replica last sent its newest own checkpoint (sent again while not stable). */
  checkpointSentAtMs: Millis = 0;
  /**
   * The highest sequence number this replica has reason to believe others reached: from
   * messages it accepted, or named by f + 1 replicas in any view (one of them is correct).
   */
  highestSeenSeq = 0;
  /** Per replica, the highest sequence number it named in a normal-case message. */
  private readonly aheadBy = new Map<AgentId, number>();
  readonly flagged = new Set<AgentId>();
  readonly rejected: Partial<Record<PbftRejection, number>> = {};
  readonly stats = { sent: 0, executedRequests: 0, viewChanges: 0, stateTransfers: 0 };
  effects: PbftEffect[] = [];
  nowMs: Millis = 0;

  constructor(
    readonly config: PbftConfig,
    readonly app: ReplicatedApp,
    readonly digestOf: DigestFn,
  ) {
    this.set = new ReplicaSet(config.replicas);
    this.configuration = {
      epoch: 0,
      replicas: [...config.replicas],
      startSeq: 0,
      startDigest: GENESIS_DIGEST,
    };
    this.clients = new ClientTable(config.clientWindow, config.maxClients);
    this.pending = new PendingRequests(config);
    this.batches = new BatchStore(config.maxStoredBatches, batchDigest([], digestOf));
    this.durable = new DurableChanges(this.batches.nullDigest);
  }

  get self(): AgentId {
    return this.config.selfId;
  }

  /** A committed change left this replica out: it only serves state to the replicas now. */
  get retired(): boolean {
    return !this.joining && !this.set.has(this.self);
  }

  /**
   * A new epoch: per-replica claims start again under the new set; the number f + 1 of the old
   * set named stays true (one of them was correct), so catch-up still knows how far to go.
   */
  forgetAhead(): void {
    this.aheadBy.clear();
  }

  get lowWatermark(): number {
    return this.checkpoints.stable.seq;
  }

  get highWatermark(): number {
    return this.lowWatermark + this.config.watermarkWindow;
  }

  get primary(): AgentId {
    return this.set.primaryOf(this.view);
  }

  get isPrimary(): boolean {
    return this.status === 'normal' && this.primary === this.self;
  }

  send(to: AgentId[], msg: PbftMessage): void {
    if (to.length === 0) return;
    this.stats.sent += to.length;
    this.effects.push({ kind: 'send', to, msg });
  }

  /** To every replica but this one. */
  broadcast(msg: PbftMessage): void {
    this.send(this.set.others(this.self), msg);
  }

  emit(event: PbftEvent): void {
    this.effects.push({ kind: 'event', event });
  }

  reject(reason: PbftRejection): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
  }

  /**
   * A replica named `seq` in a vote or pre-prepare, whatever its view: this replica is behind
   * once f + 1 replicas named numbers it has not executed (a lone faulty one cannot make it
   * ask for catch-up forever).
   */
  noteAhead(replica: AgentId, seq: number): void {
    if (!this.set.has(replica) || seq <= (this.aheadBy.get(replica) ?? 0)) return;
    this.aheadBy.set(replica, seq);
    const claims = [...this.aheadBy.values()].sort((a, b) => b - a);
    const agreed = claims[this.set.f] ?? 0;
    if (agreed > this.highestSeenSeq) this.highestSeenSeq = agreed;
  }

  /** Starts the request timer for `key` unless it runs already (or the view is changing). */
  startRequestTimer(key: string): void {
    // While the epoch closes, pending requests wait for the next one: nothing is late yet.
    if (this.status !== 'normal' || this.requestDeadlineMs !== null || this.closing !== null) {
      return;
    }
    this.requestDeadlineMs = this.nowMs + this.timeoutMs();
    this.timedRequest = key;
  }

  /**
   * After executions or a new view: if the timed request is no longer waiting, the timer
   * restarts for the longest-waiting pending request, or stops when none is left.
   */
  restartRequestTimer(force: boolean): void {
    const timed = this.timedRequest;
    if (!force && timed !== null && this.pending.hasKey(timed)) return;
    this.requestDeadlineMs = null;
    this.timedRequest = null;
    const oldest = this.pending.oldestKey();
    if (oldest !== null) this.startRequestTimer(oldest);
  }

  stopRequestTimer(): void {
    this.requestDeadlineMs = null;
    this.timedRequest = null;
  }

  /** The current timeout: doubled for each view change in a row that brought no execution. */
  timeoutMs(): Millis {
    const { requestTimeoutMs, viewChangeTimeoutMaxMs } = this.config;
    return Math.min(viewChangeTimeoutMaxMs, requestTimeoutMs * 2 ** this.failedViewChanges);
  }
}
