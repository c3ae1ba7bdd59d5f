import { assert } from '../base/assert';
import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { PbftMessage } from '../wire/pbftMessages';
import { CatchUp } from './catchUp';
import { resolvePbftConfig, type PbftOverrides } from './config';
import { Execution, parseStateText } from './execution';
import { NormalCase } from './normalCase';
import { ReplicaState } from './replicaState';
import type { DigestFn, PbftEffect, PbftInput, PbftSnapshot, ReplicatedApp } from './types';
import { ViewChanges } from './viewChanges';
import { readStored } from './durability';
import { firstViewOf } from './epochs';
import { Reconfiguration } from './reconfiguration';
import { ReplicaSet } from './replicaSet';

/** Own votes of an uncommitted slot are sent again at most this many times. */
const MAX_RESENDS = 3;

export interface PbftReplicaOptions {
  selfId: AgentId;
  replicas: readonly AgentId[];
  app: ReplicatedApp;
  digestOf: DigestFn;
  config?: PbftOverrides;
  /** Records a previous run of this replica persisted (`persist` effects): restart from them. */
  stored?: ReadonlyMap<string, string>;
  /** The time of a restart from `stored` (its timers start from it). */
  nowMs?: Millis;
  /**
   * A replica a committed change added to the set of `epoch`: it starts without state, takes
   * it by state transfer from f + 1 replicas that agree on it, and votes only after that.
   */
  join?: { epoch: number; replicas: readonly AgentId[] };
}

/**
 * One pBFT replica (Castro and Liskov, OSDI 1999 / TOCS 2002), pure: `step` takes a message
 * (signatures already verified by the host) or a tick and returns effects; time is an input.
 * README.md has the state diagram and the paper section each part follows.
 */
export class PbftReplica {
  private readonly s: ReplicaState;
  private readonly normal: NormalCase;
  private readonly execution: Execution;
  private readonly views: ViewChanges;
  private readonly catchUp: CatchUp;
  private readonly reconfiguration: Reconfiguration;

  constructor(options: PbftReplicaOptions) {
    const config = resolvePbftConfig(options.selfId, options.replicas, options.config);
    const s = new ReplicaState(config, options.app, options.digestOf);
    this.s = s;
    this.execution = new Execution(
      s,
      () => this.normal.propose(),
      () => this.catchUp.ask(),
      {
        afterBatch: (seq) => this.reconfiguration.afterBatch(seq),
        afterStable: (stable) => this.reconfiguration.afterStable(stable),
      },
    );
    this.reconfiguration = new Reconfiguration(s, this.execution);
    this.normal = new NormalCase(
      s,
      () => this.execution.executeReady(),
      (slot, other) => this.views.onEquivocation(slot, other),
    );
    this.catchUp = new CatchUp(s, this.execution, this.reconfiguration, (digest) =>
      this.views.onBatchArrived(digest),
    );
    this.views = new ViewChanges(
      s,
      this.normal,
      this.execution,
      (digest) => this.catchUp.fetchBatch(digest),
      () => this.catchUp.ask(),
      (peer, aboveSeq) => this.catchUp.onStateRequest(peer, aboveSeq),
    );
    if (options.join !== undefined) this.startJoining(options.join);
    if (options.stored !== undefined) this.restore(options.stored, options.nowMs ?? 0);
  }

  private startJoining(join: NonNullable<PbftReplicaOptions['join']>): void {
    const s = this.s;
    s.joining = true;
    s.configuration = {
      epoch: join.epoch,
      replicas: [...join.replicas],
      startSeq: 0,
      startDigest: '',
    };
    s.set = new ReplicaSet(join.replicas, { seq: -1, stateDigest: '' });
    s.view = firstViewOf(join.epoch);
    s.targetView = s.view;
  }

  get selfId(): AgentId {
    return this.s.self;
  }

  /** The running set, without building a snapshot. */
  get replicaIds(): readonly AgentId[] {
    return this.s.set.ids;
  }

  /** The last sequence number executed, without building a snapshot. */
  get lastExecutedSeq(): number {
    return this.s.lastExecutedSeq;
  }

  step(input: PbftInput): PbftEffect[] {
    const s = this.s;
    assert(input.nowMs >= s.nowMs, 'time runs forward');
    s.nowMs = input.nowMs;
    if (s.joining || s.retired) this.stepOutsideSet(input);
    else if (input.kind === 'tick') this.onTick();
    else if (input.kind === 'peerUp') this.catchUp.onPeerUp(input.peer);
    else this.onMessage(input.from, input.msg);
    return this.takeEffects();
  }

  /**
   * A joiner asks the set for its state and takes nothing else; a retired replica only serves
   * what the replicas that go on may still need from it (state, executed entries, batches).
   */
  private stepOutsideSet(input: PbftInput): void {
    const s = this.s;
    if (s.joining) {
      if (input.kind === 'tick') this.catchUp.askToJoin();
      else if (input.kind === 'message' && input.msg.type === 'pbft-state') {
        this.catchUp.onState(input.from, input.msg);
      }
      return;
    }
    if (input.kind !== 'message') return;
    const { from, msg } = input;
    if (msg.type === 'pbft-state-request') this.catchUp.onStateRequest(from, msg.aboveSeq);
    else if (msg.type === 'pbft-entries-request') this.catchUp.onEntriesRequest(from, msg);
    else if (msg.type === 'pbft-batch-request') this.catchUp.onBatchRequest(from, msg.digest);
  }

  /**
   * The step's effects, with what changed durably written first: the host stores it before
   * it sends anything that depends on it (Castro-Liskov keep this in memory with proactive
   * recovery; a tab needs a disk).
   */
  private takeEffects(): PbftEffect[] {
    const s = this.s;
    const effects = s.effects;
    s.effects = [];
    const persist = s.durable.take(() => ({
      view: s.view,
      status: s.status,
      targetView: s.targetView,
      ownViewChange: s.status === 'view-change' ? (s.viewChanges.get(s.self) ?? null) : null,
    }));
    if (persist !== null) effects.unshift({ kind: 'persist', ...persist });
    return effects;
  }

  /**
   * Back from storage: the stable checkpoint's state, the view (never an older one), the slots
   * with the headers accepted and the votes sent, and committed batches executed again in
   * order (deterministic, so the state and replies come out as before). Effects this produces
   * (replies again, events) come out of the first step.
   */
  private restore(stored: ReadonlyMap<string, string>, nowMs: Millis): void {
    const s = this.s;
    s.nowMs = nowMs;
    s.lastProgressMs = nowMs;
    const { meta, stable, slots, batches } = readStored(stored);
    const parsed = stable?.snapshot == null ? null : parseStateText(stable.snapshot);
    if (stable !== null && stable.seq > 0 && parsed !== null) {
      s.clients.restore(parsed.clients);
      s.app.restore(parsed.app);
      s.checkpoints.makeStable(stable);
      s.lastExecutedSeq = stable.seq;
      this.reconfiguration.installed(parsed.config, stable);
    }
    if (meta !== null) {
      s.view = meta.view;
      s.status = meta.status;
      s.targetView = meta.targetView;
      if (meta.status === 'view-change' && meta.ownViewChange !== null) {
        s.viewChanges.set(s.self, meta.ownViewChange);
        s.viewChangeDeadlineMs = nowMs + s.timeoutMs();
      }
    }
    for (const stored of slots) {
      if (stored.seq <= s.lowWatermark) continue;
      const slot = s.log.open(stored.seq, stored.view, nowMs);
      slot.header = stored.header;
      slot.proof = stored.proof;
      slot.prepared = stored.proof !== null && stored.proof.header.view === stored.view;
      slot.sentPrepare = stored.sentPrepare;
      slot.sentCommit = stored.sentCommit;
      slot.committedDigest = stored.committedDigest;
      slot.committed = stored.committedDigest !== null;
      const requests =
        stored.batch === null
          ? undefined
          : (batches.get(stored.batch) ?? s.batches.get(stored.batch));
      slot.requests = requests ?? null;
      if (requests !== undefined && stored.batch !== null) {
        s.batches.put(stored.batch, requests);
        s.durable.noteStoredBatch(stored.batch, stored.seq);
      }
      const digest = stored.header?.digest;
      if (stored.sentPrepare && digest !== undefined) {
        slot.prepares.set(s.self, {
          view: stored.view,
          seq: stored.seq,
          digest,
          replica: s.self,
          sig: '',
        });
      }
      if (stored.sentCommit && digest !== undefined) slot.commits.set(s.self, digest);
      if (stored.seq >= s.nextSeq) s.nextSeq = stored.seq + 1;
    }
    if (s.nextSeq <= s.lowWatermark) s.nextSeq = s.lowWatermark + 1;
    const epochBefore = s.configuration.epoch;
    this.execution.executeReady();
    const epochChanged = s.configuration.epoch !== epochBefore;
    // What was just read back is in storage already; batches no slot names any more go.
    s.durable.take(() => ({
      view: s.view,
      status: s.status,
      targetView: s.targetView,
      ownViewChange: null,
    }));
    const named = new Set(slots.map((slot) => slot.batch));
    for (const digest of batches.keys()) if (!named.has(digest)) s.durable.dropStoredBatch(digest);
    // Re-executing the log crossed into a new epoch: its base and view are not stored yet,
    // and the old epoch's slots above it are to go.
    if (epochChanged) {
      s.durable.touchStable(
        s.checkpoints.stable,
        slots.map((slot) => slot.seq),
      );
      s.durable.touchMeta();
    }
  }

  /** When the replica next needs a tick, or null when no timer runs. */
  nextWakeMs(): Millis | null {
    const s = this.s;
    if (s.retired) return null;
    if (s.joining) return s.catchUp.askedAtMs + s.config.catchUpAfterMs;
    let next: Millis | null = null;
    const consider = (at: Millis | null): void => {
      if (at !== null && (next === null || at < next)) next = at;
    };
    consider(s.requestDeadlineMs);
    consider(s.viewChangeDeadlineMs);
    for (const slot of s.status === 'normal' ? s.log.values() : []) {
      if (
        !slot.committed &&
        slot.header !== null &&
        slot.resends < MAX_RESENDS &&
        slot.view === s.view
      ) {
        consider(slot.sentAtMs + s.config.retransmitMs);
      }
    }
    if (s.checkpoints.own.size > 0) consider(s.checkpointSentAtMs + s.config.catchUpAfterMs);
    if (s.highestSeenSeq > s.lastExecutedSeq || s.wantedBatches.size > 0) {
      consider(Math.max(s.lastProgressMs, s.catchUp.askedAtMs) + s.config.catchUpAfterMs);
    }
    return next;
  }

  private onTick(): void {
    const s = this.s;
    if (s.status === 'normal' && s.requestDeadlineMs !== null && s.nowMs >= s.requestDeadlineMs) {
      this.views.start(s.view + 1, 'request-timeout');
    }
    if (
      s.status === 'view-change' &&
      s.viewChangeDeadlineMs !== null &&
      s.nowMs >= s.viewChangeDeadlineMs
    ) {
      this.views.onViewChangeTimeout();
    }
    this.normal.retransmit(MAX_RESENDS);
    this.catchUp.maybeAsk();
    this.catchUp.resendCheckpoint();
  }

  private onMessage(from: AgentId, msg: PbftMessage): void {
    const s = this.s;
    switch (msg.type) {
      case 'pbft-request':
        return this.normal.onRequest(from, msg);
      case 'pbft-pre-prepare':
        this.views.noteHigherView(msg.replica, msg.view);
        return this.normal.onPrePrepare(from, msg);
      case 'pbft-prepare':
        this.views.noteHigherView(msg.replica, msg.view);
        return this.normal.onPrepare(from, msg);
      case 'pbft-commit':
        this.views.noteHigherView(from, msg.view);
        return this.normal.onCommit(from, msg);
      case 'pbft-checkpoint':
        return this.execution.onCheckpoint(msg);
      case 'pbft-view-change':
        return this.views.onViewChange(from, msg);
      case 'pbft-new-view':
        return this.views.onNewView(msg);
      case 'pbft-evidence':
        return this.views.onEvidence(msg);
      case 'pbft-batch-request':
        return s.set.has(from)
          ? this.catchUp.onBatchRequest(from, msg.digest)
          : s.reject('not-a-replica');
      case 'pbft-batch':
        return this.catchUp.onBatch(msg);
      case 'pbft-entries-request':
        return this.catchUp.onEntriesRequest(from, msg);
      case 'pbft-entries':
        return this.catchUp.onEntries(from, msg);
      case 'pbft-state-request':
        return this.catchUp.onStateRequest(from, msg.aboveSeq);
      case 'pbft-state':
        return this.catchUp.onState(from, msg);
      case 'pbft-reply':
        // Replies are for clients (client.ts); a replica has nothing to do with one.
        return s.reject('unexpected');
    }
  }

  snapshot(): PbftSnapshot {
    const s = this.s;
    return {
      self: s.self,
      role: s.joining ? 'joining' : s.retired ? 'retired' : 'replica',
      epoch: s.configuration.epoch,
      epochStartSeq: s.configuration.startSeq,
      replicas: [...s.set.ids],
      n: s.set.n,
      f: s.set.f,
      quorum: s.set.quorum,
      view: s.view,
      primary: s.primary,
      status: s.status,
      targetView: s.targetView,
      lastExecutedSeq: s.lastExecutedSeq,
      stableCheckpointSeq: s.lowWatermark,
      lowWatermark: s.lowWatermark,
      highWatermark: s.highWatermark,
      nextSeq: s.nextSeq,
      slots: s.log.sorted().map((slot) => ({
        seq: slot.seq,
        view: slot.view,
        digest: slot.committedDigest ?? slot.header?.digest ?? '',
        requestCount: slot.requests?.length ?? 0,
        prepares: slot.prepares.size,
        commits: slot.commits.size,
        preparedBy: votersFor(slot.prepares, slot.header?.digest, (vote) => vote.digest),
        committedBy: votersFor(slot.commits, slot.header?.digest, (digest) => digest),
        phase: slot.executed
          ? 'executed'
          : slot.committed
            ? 'committed'
            : slot.prepared
              ? 'prepared'
              : 'pre-prepared',
      })),
      pendingRequests: s.pending.size,
      flagged: [...s.flagged].sort(),
      rejected: { ...s.rejected },
      stats: { ...s.stats },
    };
  }

  /** The invariants the simulator checks after every step. */
  invariants(): void {
    const s = this.s;
    assert(s.lastExecutedSeq >= s.lowWatermark, 'executed below the stable checkpoint');
    assert(s.log.size <= s.config.watermarkWindow + s.config.maxInFlightBatches, 'log over window');
    for (const slot of s.log.values()) {
      assert(slot.seq > s.lowWatermark, 'slot at or below the low watermark kept');
      assert(slot.seq <= s.highWatermark + s.config.watermarkWindow, 'slot far above the window');
      if (slot.executed) assert(slot.committed && slot.seq <= s.lastExecutedSeq, 'ran uncommitted');
      if (slot.committed) assert(slot.committedDigest !== null, 'committed without a digest');
    }
    assert(s.pending.size <= s.config.maxPendingRequests, 'pending over its bound');
    assert(s.viewChanges.size <= s.set.n, 'view changes over the replica count');
    assert(s.checkpoints.heldCount <= 4 * s.set.n, 'checkpoints over their bound');
    assert(s.status === 'view-change' || s.targetView === s.view, 'target view without a change');
  }
}

/** The replicas whose vote matches the slot's digest, sorted (what the dashboard shows). */
function votersFor<V>(
  votes: ReadonlyMap<AgentId, V>,
  digest: string | undefined,
  digestOf: (vote: V) => string,
): AgentId[] {
  if (digest === undefined) return [];
  const out: AgentId[] = [];
  for (const [replica, vote] of votes) if (digestOf(vote) === digest) out.push(replica);
  return out.sort();
}
