import type { AgentId } from '../core/base/ids';
import type { Prng } from '../core/base/prng';
import type { Millis } from '../core/base/time';
import { DEFAULT_RAFT_CONFIG, type RaftOverrides } from '../core/raft/config';
import type { RecordChanges } from '../core/base/records';
import { loadRaftDurable, persistChanges } from '../core/raft/durability';
import type { RaftMemberChange } from '../core/raft/members';
import { RaftNode } from '../core/raft/node';
import type { RaftEffect, RaftEvent, RaftInput, RaftSnapshotView } from '../core/raft/types';
import { decodeFrame, encodeFrame, FrameTooLargeError } from '../core/wire/codec';
import { isRaftMessageType, type RaftEntry } from '../core/wire/raftMessages';
import type { Clock, TimerHandle, Transport } from './ports';
import type { RecordStore } from './recordStore';
import { GroupCommitQueue } from './groupCommitQueue';
import { RaftOutbox } from './raftOutbox';

/** The application state machine the log drives. Deterministic; never throws. */
export interface RaftStateMachine {
  /** Applies one committed data entry; returns its result (JSON-able). */
  apply(entry: RaftEntry): unknown;
  snapshot(): string;
  restore(snapshot: string): void;
}

/** Why a proposal or read failed: the `code` of the Error it rejects with. */
export type RaftHostErrorCode =
  | 'no-leader'
  | 'no-quorum'
  | 'timeout'
  | 'too-large'
  | 'overloaded'
  | 'refused'
  | 'stopped'
  /** Not an entry, key or target the ledger takes (before anything was sent). */
  | 'invalid'
  /** Only the leader can do this (a leadership transfer). */
  | 'not-leader';

export class RaftHostError extends Error {
  constructor(
    readonly code: RaftHostErrorCode,
    message: string,
    /**
     * True when the entry may have reached a log before the failure (a lost answer, a timeout,
     * a stop): it may yet commit, so a caller must not simply try a non-idempotent one again.
     * False when it is known not to commit.
     */
    readonly maybeCommitted = false,
  ) {
    super(message);
    this.name = 'RaftHostError';
  }
}

export interface RaftHostOptions {
  selfId: AgentId;
  initialVoters: readonly AgentId[];
  transport: Transport;
  clock: Clock;
  prng: Prng;
  machine: RaftStateMachine;
  storage: RecordStore;
  /** The records a previous run stored, to restart from. */
  stored?: ReadonlyMap<string, string>;
  config?: RaftOverrides;
  /** How long a proposal or read waits for its outcome. */
  timeoutMs?: number;
  /** Whether this agent's side of the mesh holds a majority; tells `no-quorum` from `no-leader`. */
  hasQuorum?: () => boolean;
  onEvent?: (event: RaftEvent) => void;
  /** Every committed entry, in order, as it is applied (noops and config entries included). */
  onApplied?: (entries: readonly RaftEntry[]) => void;
  /** After every node step (the simulator's checks). */
  afterStep?: (node: RaftNode) => void;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: RaftHostError): void;
  timer: TimerHandle;
}

/** A committed proposal: where it went and what the state machine returned. */
export interface Committed {
  index: number;
  term: number;
  result: unknown;
}

interface PendingProposal extends Waiter<Committed> {
  at: { index: number; term: number } | null;
}

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Drives one Raft node over ports, the same in a page, a Node agent and the simulator. Effects
 * run in order through one group-commit queue: a `persist` is written (and acknowledged by the
 * store) before any effect after it, so no vote or acknowledgement leaves before what it
 * promises is stored; persists queued while a write is under way go as one. Committed entries are applied to the state machine in order; a proposal
 * resolves when the entry applied at its index has its term, and fails when another entry is
 * applied there.
 */
export class RaftHost {
  readonly node: RaftNode;
  private readonly effects: GroupCommitQueue;
  private readonly outbox: RaftOutbox;
  private readonly held = new Set<number>();
  private readonly proposals = new Map<number, PendingProposal>();
  private readonly reads = new Map<number, Waiter<number> & { index: number | null }>();
  private nextId = 1;
  private timer: TimerHandle | null = null;
  private timerAtMs: Millis | null = null;
  private stopped = false;
  readonly stats = { framesIn: 0, badFrames: 0, sendTooLarge: 0 };

  constructor(private readonly options: RaftHostOptions) {
    const config = { ...DEFAULT_RAFT_CONFIG, ...options.config };
    this.outbox = new RaftOutbox(config);
    this.effects = new GroupCommitQueue(options.storage, () => this.flushOutbox());
    const restored = options.stored === undefined ? undefined : loadRaftDurable(options.stored);
    for (const entry of restored?.entries ?? []) this.held.add(entry.index);
    if (restored?.snapshot) options.machine.restore(restored.snapshot.data);
    this.node = new RaftNode({
      selfId: options.selfId,
      initialVoters: options.initialVoters,
      prng: options.prng,
      nowMs: options.clock.nowMs(),
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(restored === undefined ? {} : { restored }),
    });
    options.transport.setHandler({
      onLinkUp: () => undefined,
      onLinkDown: () => undefined,
      onFrame: (peer, frame) => this.onFrame(peer, frame),
    });
    this.run(this.node.replayRestored());
    this.armTimer();
  }

  /** Appends `data` (JSON text); resolves once it is committed and applied here. */
  propose(data: string): Promise<Committed> {
    return new Promise((resolve, reject) => this.proposeWith(data, resolve, reject));
  }

  /** Resolves with an index once this node has applied everything committed before the call. */
  readIndex(): Promise<number> {
    return new Promise((resolve, reject) => this.readIndexWith(resolve, reject));
  }

  changeMembers(change: RaftMemberChange): Promise<Committed> {
    return new Promise((resolve, reject) => this.changeMembersWith(change, resolve, reject));
  }

  /**
   * `propose` with callbacks, called synchronously from the step that settles it: for callers
   * that cannot wait for microtasks (the simulator's loop).
   */
  proposeWith(
    data: string,
    resolve: (c: Committed) => void,
    reject: (e: RaftHostError) => void,
  ): void {
    const id = this.track(resolve, reject);
    if (id !== null) this.step({ kind: 'propose', id, data, nowMs: this.options.clock.nowMs() });
  }

  changeMembersWith(
    change: RaftMemberChange,
    resolve: (c: Committed) => void,
    reject: (e: RaftHostError) => void,
  ): void {
    const id = this.track(resolve, reject);
    if (id !== null)
      this.step({ kind: 'changeMembers', id, change, nowMs: this.options.clock.nowMs() });
  }

  readIndexWith(resolve: (index: number) => void, reject: (e: RaftHostError) => void): void {
    if (this.stopped) return reject(new RaftHostError('stopped', 'the node is stopped'));
    const id = this.nextId++;
    const timer = this.options.clock.setTimer(this.options.clock.nowMs() + this.timeoutMs(), () => {
      const read = this.reads.get(id);
      if (read === undefined) return;
      this.reads.delete(id);
      read.reject(this.unavailable('timeout'));
    });
    this.reads.set(id, { resolve, reject, timer, index: null });
    this.step({ kind: 'read', id, nowMs: this.options.clock.nowMs() });
  }

  /** Registers a proposal's callbacks and its timeout; null when the host is stopped. */
  private track(
    resolve: (c: Committed) => void,
    reject: (e: RaftHostError) => void,
  ): number | null {
    if (this.stopped) {
      reject(new RaftHostError('stopped', 'the node is stopped'));
      return null;
    }
    const id = this.nextId++;
    const timer = this.options.clock.setTimer(this.options.clock.nowMs() + this.timeoutMs(), () =>
      this.expireProposal(id),
    );
    this.proposals.set(id, { resolve, reject, timer, at: null });
    return id;
  }

  transferLeadership(to: AgentId): void {
    this.step({ kind: 'transferLeadership', to, nowMs: this.options.clock.nowMs() });
  }

  /**
   * Stops, a leader handing over to `to` first. Its TimeoutNow goes out at once, ahead of
   * writes still being stored: it promises nothing, and a closing page will not wait for them.
   */
  leave(to: AgentId | null): void {
    if (this.stopped) return;
    if (to !== null && this.node.currentRole === 'leader') {
      const nowMs = this.options.clock.nowMs();
      for (const effect of this.node.step({ kind: 'transferLeadership', to, nowMs, leaving: true }))
        if (effect.kind === 'send' && effect.msg.type === 'raft-timeout-now')
          this.outbox.add(effect.to, effect.msg);
      this.flushOutbox();
    }
    this.stop();
  }

  view(): RaftSnapshotView {
    return this.node.view();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimer(this.timer);
    for (const [id, p] of this.proposals) {
      this.options.clock.clearTimer(p.timer);
      p.reject(new RaftHostError('stopped', 'the node stopped', true));
      this.proposals.delete(id);
    }
    for (const [id, r] of this.reads) {
      this.options.clock.clearTimer(r.timer);
      r.reject(new RaftHostError('stopped', 'the node stopped'));
      this.reads.delete(id);
    }
  }

  private timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** `no-quorum` when this side of the mesh lacks a majority, else the given code. */
  private unavailable(code: 'no-leader' | 'timeout', maybeCommitted = false): RaftHostError {
    if (this.options.hasQuorum?.() === false)
      return new RaftHostError(
        'no-quorum',
        'this side of the mesh holds no majority',
        maybeCommitted,
      );
    return new RaftHostError(
      code,
      code === 'timeout' ? 'no outcome in time' : 'no leader is known',
      maybeCommitted,
    );
  }

  private onFrame(peer: AgentId, frame: Uint8Array): void {
    if (this.stopped) return;
    this.stats.framesIn++;
    const decoded = decodeFrame(frame);
    if (!decoded.ok || !isRaftMessageType(decoded.msg.type)) {
      this.stats.badFrames++;
      return;
    }
    this.step({
      kind: 'message',
      from: peer,
      msg: decoded.msg as never,
      nowMs: this.options.clock.nowMs(),
    });
  }

  private step(input: RaftInput): void {
    if (this.stopped) return;
    const effects = this.node.step(input);
    this.options.afterStep?.(this.node);
    this.run(effects);
    this.armTimer();
  }

  private run(effects: RaftEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'persist') this.effects.write(this.changesOf(effect));
      else this.effects.run(() => this.execute(effect));
    }
  }

  /** Sends what the batch of effects just run produced (appends to one peer joined). */
  private flushOutbox(): void {
    this.outbox.flush((to, msg) => {
      try {
        this.options.transport.send(to, encodeFrame(msg));
      } catch (error) {
        // The limits make every Raft frame fit (core/wire/raftMessages.ts); counted if not.
        if (!(error instanceof FrameTooLargeError)) throw error;
        this.stats.sendTooLarge++;
      }
    });
  }

  /** The records a persist effect changes; the entries held are tracked in effect order. */
  private changesOf(effect: Extract<RaftEffect, { kind: 'persist' }>): RecordChanges {
    const changes = persistChanges(effect, this.held);
    if (effect.truncateFrom !== null)
      for (const i of [...this.held]) if (i >= effect.truncateFrom) this.held.delete(i);
    if (effect.snapshot !== null)
      for (const i of [...this.held]) if (i <= effect.snapshot.index) this.held.delete(i);
    for (const entry of effect.entries) this.held.add(entry.index);
    return changes;
  }

  private execute(effect: Exclude<RaftEffect, { kind: 'persist' }>): void {
    switch (effect.kind) {
      case 'send':
        this.outbox.add(effect.to, effect.msg);
        break;
      case 'apply':
        this.options.onApplied?.(effect.entries);
        for (const entry of effect.entries) this.applyEntry(entry);
        this.serveReads();
        break;
      case 'restore':
        this.options.machine.restore(effect.snapshot.data);
        // Proposals the snapshot covers: their outcome is unknown here.
        for (const [id, p] of this.proposals) {
          if (p.at !== null && p.at.index <= effect.snapshot.index) this.settleProposal(id, null);
        }
        this.serveReads();
        break;
      case 'snapshotWanted': {
        const data = this.options.machine.snapshot();
        const index = effect.index;
        this.options.clock.setTimer(this.options.clock.nowMs(), () =>
          this.step({ kind: 'snapshot', index, data, nowMs: this.options.clock.nowMs() }),
        );
        break;
      }
      case 'proposal': {
        const p = this.proposals.get(effect.id);
        if (p === undefined) break;
        if (effect.result.ok) p.at = { index: effect.result.index, term: effect.result.term };
        else if (effect.result.reason === 'unanswered')
          this.settleProposal(effect.id, this.unavailable('timeout', true));
        else if (effect.result.reason === 'no-leader')
          this.settleProposal(effect.id, this.unavailable('no-leader'));
        else if (effect.result.reason === 'too-large')
          this.settleProposal(effect.id, new RaftHostError('too-large', 'the entry is over 4 KiB'));
        else if (effect.result.reason === 'change-refused')
          this.settleProposal(
            effect.id,
            new RaftHostError('refused', effect.result.detail ?? 'refused'),
          );
        else this.settleProposal(effect.id, new RaftHostError('overloaded', effect.result.reason));
        break;
      }
      case 'read': {
        const r = this.reads.get(effect.id);
        if (r === undefined) break;
        if (effect.result.ok) {
          r.index = effect.result.index;
          this.serveReads();
        } else {
          this.reads.delete(effect.id);
          this.options.clock.clearTimer(r.timer);
          r.reject(
            effect.result.reason === 'no-leader'
              ? this.unavailable('no-leader')
              : new RaftHostError('overloaded', 'too many reads'),
          );
        }
        break;
      }
      case 'event':
        this.options.onEvent?.(effect.event);
        break;
    }
  }

  private applyEntry(entry: RaftEntry): void {
    const result = entry.kind === 'data' ? this.options.machine.apply(entry) : undefined;
    for (const [id, p] of this.proposals) {
      if (p.at === null || p.at.index !== entry.index) continue;
      if (p.at.term === entry.term) {
        this.proposals.delete(id);
        this.options.clock.clearTimer(p.timer);
        p.resolve({ index: entry.index, term: entry.term, result });
      } else {
        this.settleProposal(
          id,
          new RaftHostError('no-leader', 'the leader that took it lost its place'),
        );
      }
    }
  }

  /** Fails a proposal with `error`, or forgets it (outcome unknown) for null. */
  private settleProposal(id: number, error: RaftHostError | null): void {
    const p = this.proposals.get(id);
    if (p === undefined) return;
    this.proposals.delete(id);
    this.options.clock.clearTimer(p.timer);
    p.reject(
      error ??
        new RaftHostError('timeout', 'the outcome is unknown (a snapshot replaced the log)', true),
    );
  }

  private expireProposal(id: number): void {
    const p = this.proposals.get(id);
    if (p === undefined) return;
    this.proposals.delete(id);
    // Even one never placed may have been: a forwarded entry's answer can be lost.
    p.reject(this.unavailable('timeout', true));
  }

  private serveReads(): void {
    const applied = this.node.applied;
    for (const [id, r] of this.reads) {
      if (r.index === null || r.index > applied) continue;
      this.reads.delete(id);
      this.options.clock.clearTimer(r.timer);
      r.resolve(r.index);
    }
  }

  private armTimer(): void {
    if (this.stopped) return;
    const at = this.node.nextWakeMs();
    if (this.timerAtMs === at && this.timer !== null) return;
    if (this.timer !== null) this.options.clock.clearTimer(this.timer);
    this.timerAtMs = at;
    this.timer = this.options.clock.setTimer(Math.max(at, this.options.clock.nowMs()), () => {
      this.timer = null;
      this.timerAtMs = null;
      this.step({ kind: 'tick', nowMs: this.options.clock.nowMs() });
    });
  }
}
