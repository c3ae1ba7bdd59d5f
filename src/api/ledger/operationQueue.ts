import type { Clock, TimerHandle } from '../../host/ports';
import { PollingTimer } from '../../host/pollingTimer';
import { RaftHost, RaftHostError } from '../../host/raftHost';

/** Operations of this agent waiting at once (held, retrying or in flight); more: `overloaded`. */
export const LEDGER_MAX_PENDING = 256;
/** A refused operation is tried again this much later while its time lasts. */
const RETRY_MS = 100;
/** A node just started reaches nobody yet: `no-quorum` counts only after this. */
const REACH_GRACE_MS = 3000;

/** One `mesh.ledger` call on its way: tried on the host until it settles or its time is up. */
export interface LedgerOperation {
  startedMs: number;
  /**
   * A write with a session (host/ledgerSessions.ts): sent again, it is answered, not applied
   * twice, so even one that may have committed can be tried again.
   */
  idempotent: boolean;
  /**
   * Tries once on the host: `settled` before it resolves, `retry` when it was refused (the
   * queue decides whether to try again or fail).
   */
  attempt(host: RaftHost, settled: () => void, retry: (error: RaftHostError) => void): void;
  reject(error: RaftHostError): void;
  /** Called once it is settled either way. */
  done?: () => void;
}

export interface OperationQueueOptions {
  clock: Clock;
  timeoutMs: number;
  formingWaitMs: number;
  /** What the group's formation waits for, for the error of an operation that waited too long. */
  formingDetail: () => string;
}

interface Waiting {
  op: LedgerOperation;
  /** Whether an attempt so far may have reached a log. */
  maybeCommitted: boolean;
}

/**
 * The ledger's operations: held while no Raft group exists (up to `formingWaitMs`), then tried
 * on the host; one refused in a way that is safe to repeat (no leader yet, a leader that lost
 * its place, a write with a session whose answer was lost) is tried again every 100 ms while
 * its time (`timeoutMs`) lasts, so an election under way costs a wait, not an error.
 */
export class OperationQueue {
  private host: RaftHost | null = null;
  private hostStartedMs = 0;
  private readonly pending = new Map<LedgerOperation, Waiting>();
  private readonly held: LedgerOperation[] = [];
  private readonly retryTimers = new Set<TimerHandle>();
  private readonly formingTimer: PollingTimer;
  private stopped = false;

  constructor(private readonly options: OperationQueueOptions) {
    this.formingTimer = new PollingTimer(options.clock, 250, () => this.expireHeld());
    this.formingTimer.start();
  }

  get size(): number {
    return this.pending.size;
  }

  /** The host exists: held operations go to it. */
  attach(host: RaftHost): void {
    this.host = host;
    this.hostStartedMs = this.options.clock.nowMs();
    this.formingTimer.stop();
    for (const op of this.held.splice(0)) this.run(op);
  }

  submit(op: LedgerOperation): void {
    if (this.stopped)
      return op.reject(new RaftHostError('stopped', 'this agent has left the mesh'));
    if (this.pending.size >= LEDGER_MAX_PENDING) {
      return op.reject(
        new RaftHostError('overloaded', `${LEDGER_MAX_PENDING} operations wait already`),
      );
    }
    this.pending.set(op, { op, maybeCommitted: false });
    if (this.host === null) this.held.push(op);
    else this.run(op);
  }

  /** Fails everything still waiting with `stopped` (after the host rejected its own). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.formingTimer.stop();
    for (const timer of this.retryTimers) this.options.clock.clearTimer(timer);
    this.retryTimers.clear();
    for (const op of [...this.pending.keys()])
      this.finish(op, new RaftHostError('stopped', 'this agent has left the mesh'));
  }

  private run(op: LedgerOperation): void {
    const host = this.host as RaftHost;
    op.attempt(
      host,
      () => {
        if (this.pending.delete(op)) op.done?.();
      },
      (error) => {
        const waiting = this.pending.get(op);
        if (waiting === undefined) return;
        waiting.maybeCommitted ||= error.maybeCommitted;
        if (!this.retryable(op, error)) return this.finish(op, error);
        const { clock } = this.options;
        const timer = clock.setTimer(clock.nowMs() + RETRY_MS, () => {
          this.retryTimers.delete(timer);
          if (!this.stopped && this.pending.has(op)) this.run(op);
        });
        this.retryTimers.add(timer);
      },
    );
  }

  /** A refusal that is safe to repeat, while the operation's time lasts. */
  private retryable(op: LedgerOperation, error: RaftHostError): boolean {
    const nowMs = this.options.clock.nowMs();
    if (this.stopped || error.code === 'stopped') return false;
    if (nowMs - op.startedMs + RETRY_MS >= this.options.timeoutMs) return false;
    if (error.maybeCommitted) return op.idempotent;
    if (error.code === 'no-leader') return true;
    // Just started: the membership has not heard from anyone yet.
    return error.code === 'no-quorum' && nowMs - this.hostStartedMs < REACH_GRACE_MS;
  }

  /** Rejects `op` with `error`, saying it may have committed if any attempt may have. */
  private finish(op: LedgerOperation, error: RaftHostError): void {
    const waiting = this.pending.get(op);
    if (waiting === undefined) return;
    this.pending.delete(op);
    const maybe = waiting.maybeCommitted || error.maybeCommitted;
    op.reject(
      maybe === error.maybeCommitted ? error : new RaftHostError(error.code, error.message, true),
    );
    op.done?.();
  }

  /** Held operations whose wait for the group is over fail `no-leader`. */
  private expireHeld(): void {
    const nowMs = this.options.clock.nowMs();
    for (let i = this.held.length - 1; i >= 0; i--) {
      const op = this.held[i] as LedgerOperation;
      if (nowMs - op.startedMs < this.options.formingWaitMs) continue;
      this.held.splice(i, 1);
      this.finish(
        op,
        new RaftHostError('no-leader', `no Raft group formed yet: ${this.options.formingDetail()}`),
      );
    }
  }
}
