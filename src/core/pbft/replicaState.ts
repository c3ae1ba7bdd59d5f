import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { PbftMessage, PbftNewViewMessage, PbftViewChange } from '../wire/pbftMessages';
import { BatchStore, batchDigest } from './batch';
import { Checkpoints } from './checkpoints';
import { DurableChanges } from './durability';
import { ClientTable } from './clientTable';
import type { PbftConfig } from './config';
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
  readonly set: ReplicaSet;
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
  /** Request timer: a pending request not executed by then starts a view change. */
  requestDeadlineMs: Millis | null = null;
  /** View-change timer: no new view by then moves on to the next view. */
  viewChangeDeadlineMs: Millis | null = null;
  lastProgressMs: Millis = 0;
  /** When this replica last sent its newest own checkpoint (sent again while not stable). */
  checkpointSentAtMs: Millis = 0;
  /** The highest sequence number a replica's message named: evidence this one is behind. */
  highestSeenSeq = 0;
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
    this.clients = new ClientTable(config.clientWindow, config.maxClients);
    this.pending = new PendingRequests(config);
    this.batches = new BatchStore(config.maxStoredBatches, batchDigest([], digestOf));
    this.durable = new DurableChanges(this.batches.nullDigest);
  }

  get self(): AgentId {
    return this.config.selfId;
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

  /** The current timeout: doubled for each view change in a row that brought no execution. */
  timeoutMs(): Millis {
    const { requestTimeoutMs, viewChangeTimeoutMaxMs } = this.config;
    return Math.min(viewChangeTimeoutMaxMs, requestTimeoutMs * 2 ** this.failedViewChanges);
  }
}
