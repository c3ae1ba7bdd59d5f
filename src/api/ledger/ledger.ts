import { compareIds, type AgentId } from '../../core/base/ids';
import type { Prng } from '../../core/base/prng';
import { majorityOf } from '../../core/quorum/majority';
import type { RaftOverrides } from '../../core/raft/config';
import type { RaftMemberChange } from '../../core/raft/members';
import type { RaftEvent, RaftSnapshotView } from '../../core/raft/types';
import { RAFT_MAX_ENTRY_BYTES } from '../../core/wire/raftMessages';
import {
  LEDGER_MAX_KEY_CHARS,
  LedgerMachine,
  type LedgerExtension,
  type LedgerExtensionOp,
  type LedgerOp,
  type LedgerRecord,
  type LedgerResult,
} from '../../host/ledgerMachine';
import type { LedgerStatus, LedgerTimelineEntry, LedgerView } from '../../host/ledgerView';
import type { Clock, Transport } from '../../host/ports';
import { RaftHost, RaftHostError, type Committed } from '../../host/raftHost';
import type { LoadedRecordStore } from '../../host/recordStore';
import type { GenesisTarget } from '../genesis/genesisDriver';
import { OperationQueue } from './operationQueue';

export interface LedgerOptions {
  selfId: AgentId;
  /** The Raft lane of the agent's links. */
  transport: Transport;
  clock: Clock;
  prng: Prng;
  storage: LoadedRecordStore;
  /** The agents this one reaches now, itself included (from the membership). */
  reached: () => ReadonlySet<AgentId>;
  config?: RaftOverrides;
  /** How long an operation waits for its outcome in all (default 5 s). */
  timeoutMs?: number;
  /** How long an operation waits for the first group to form (default 10 s). */
  formingWaitMs?: number;
  onEvent?: (event: RaftEvent) => void;
  /** State machines of their own on the log (the Raft tier of the agreed memory). */
  extensions?: readonly LedgerExtension[];
}

/** Where a committed entry went. */
export interface LedgerCommit {
  index: number;
  term: number;
}

export interface LedgerCas extends LedgerCommit {
  /** Whether the value was `expected` and is now the new one. */
  ok: boolean;
  /** The value under the key after the operation. */
  value: unknown;
}

export interface LedgerGet {
  value: unknown;
  /** The commit index the read waited for (everything committed before the call). */
  index: number;
  /** Always true: reads go through ReadIndex (core/raft/README.md, "Linearizable reads"). */
  linearizable: true;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_FORMING_WAIT_MS = 10_000;
const TIMELINE_KEPT = 64;
const RECENT_SHOWN = 12;

const text = new TextEncoder();

/**
 * `mesh.ledger`: entries committed in one order by a Raft group of the mesh's agents, and a
 * key-value state machine on them. Owns the state machine, and the Raft host once the genesis
 * decided the first voters; before that, operations wait up to `formingWaitMs`. Every write
 * carries this instance's session, so the operation queue can send it again after a lost
 * answer or a change of leader without applying it twice: an election under way costs a
 * wait, not an error. One whose time runs out unsettled ends `timeout` (its fate unknown).
 */
export class Ledger implements GenesisTarget {
  readonly machine: LedgerMachine;
  private host: RaftHost | null = null;
  private formingDetail = 'starting';
  private readonly timeline: LedgerTimelineEntry[] = [];
  private readonly operations: OperationQueue;
  /** This instance's writer session: a reloaded tab starts a new one (same id, new number). */
  private readonly client: string;
  private nextSeq = 1;
  /** Session numbers of writes not yet answered, for the `ack` each write carries. */
  private readonly unanswered = new Set<number>();
  private stopped = false;

  constructor(private readonly options: LedgerOptions) {
    this.machine = new LedgerMachine(options.extensions);
    this.client = `${options.selfId}:${options.prng.nextU32().toString(36)}`;
    this.operations = new OperationQueue({
      clock: options.clock,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      formingWaitMs: options.formingWaitMs ?? DEFAULT_FORMING_WAIT_MS,
      formingDetail: () => this.formingDetail,
    });
  }

  get formed(): boolean {
    return this.host !== null;
  }

  setForming(detail: string): void {
    this.formingDetail = detail;
  }

  /** Starts the Raft node: a voter of the first group, or outside it until the leader adds it. */
  start(voters: readonly AgentId[]): void {
    if (this.host !== null || this.stopped) return;
    const { options } = this;
    this.host = new RaftHost({
      selfId: options.selfId,
      initialVoters: voters,
      transport: options.transport,
      clock: options.clock,
      prng: options.prng,
      machine: this.machine,
      storage: options.storage,
      stored: options.storage.records,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      hasQuorum: () => this.hasQuorum(),
      ...(options.config === undefined ? {} : { config: options.config }),
      onEvent: (event) => this.onRaftEvent(event),
    });
    this.operations.attach(this.host);
  }

  /** The voters and learners as this agent's log has them (null before the group formed). */
  currentMembers(): readonly AgentId[] | null {
    return this.host?.node.membership.voters ?? null;
  }

  /** The leader this agent follows and its term: the mesh's coordinator (null when unknown). */
  coordinator(): { leader: AgentId; term: number } | null {
    const node = this.host?.node;
    if (node === undefined || node.currentLeader === null) return null;
    return { leader: node.currentLeader, term: node.currentTerm };
  }

  get isLeader(): boolean {
    return this.host?.node.currentRole === 'leader';
  }

  append(entry: unknown): Promise<LedgerCommit> {
    if (entry === undefined) return Promise.reject(invalid('an entry is a JSON value'));
    return this.commit({ kind: 'append', entry }).then(({ index, term }) => ({ index, term }));
  }

  put(key: string, value: unknown): Promise<LedgerCommit> {
    const refusal = keyRefusal(key);
    if (refusal !== null) return Promise.reject(invalid(refusal));
    return this.commit({ kind: 'put', key, value: value ?? null }).then(({ index, term }) => ({
      index,
      term,
    }));
  }

  cas(key: string, expected: unknown, value: unknown): Promise<LedgerCas> {
    const refusal = keyRefusal(key);
    if (refusal !== null) return Promise.reject(invalid(refusal));
    return this.commit({ kind: 'cas', key, expected: expected ?? null, value: value ?? null }).then(
      ({ index, term, result }) => {
        const outcome = result as Extract<LedgerResult, { kind: 'cas' }>;
        return { index, term, ok: outcome.ok, value: outcome.value };
      },
    );
  }

  /** Commits an extension's operation; resolves with its result once applied here. */
  propose(op: LedgerExtensionOp): Promise<LedgerCommit & { value: unknown }> {
    const refusal = this.machine.refusal(op);
    if (refusal !== null) return Promise.reject(invalid(refusal));
    return this.commit(op).then(({ index, term, result }) => ({
      index,
      term,
      value: (result as Extract<LedgerResult, { kind: 'extension' }>).value,
    }));
  }

  /** The value under `key`, linearizable: it reflects every write committed before the call. */
  get(key: string): Promise<LedgerGet> {
    const refusal = keyRefusal(key);
    if (refusal !== null) return Promise.reject(invalid(refusal));
    return new Promise((resolve, reject) => {
      this.operations.submit({
        startedMs: this.options.clock.nowMs(),
        idempotent: true,
        reject,
        attempt: (host, settled, retry) =>
          host.readIndexWith((index) => {
            settled();
            resolve({ value: this.machine.get(key), index, linearizable: true });
          }, retry),
      });
    });
  }

  /** Committed entries this agent applied and keeps, from `fromIndex`, at most `limit`. */
  read(options: { fromIndex?: number; limit?: number } = {}): LedgerRecord[] {
    const fromIndex = options.fromIndex ?? 1;
    const limit = Math.max(0, Math.min(options.limit ?? 100, 1000));
    return this.machine.read(fromIndex, limit);
  }

  /**
   * Hands leadership to `to`; resolves once it leads. Only the leader can: elsewhere this
   * rejects `not-leader` (with the leader's id in the message).
   */
  transferLeadership(to: AgentId): Promise<{ leader: AgentId; term: number }> {
    const host = this.host;
    if (host === null || host.node.currentRole !== 'leader') {
      const leader = this.coordinator()?.leader;
      return Promise.reject(
        new RaftHostError(
          'not-leader',
          leader === undefined ? 'no leader is known' : `only the leader (${leader}) can transfer`,
        ),
      );
    }
    if (!host.node.membership.voters.includes(to) || to === this.options.selfId) {
      return Promise.reject(invalid(`${to} is not another voter`));
    }
    return new Promise((resolve, reject) => {
      const { clock } = this.options;
      let unsubscribe = (): void => undefined;
      const timer = clock.setTimer(
        clock.nowMs() + (this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        () => {
          unsubscribe();
          reject(new RaftHostError('timeout', `${to} did not take over in time`));
        },
      );
      unsubscribe = this.onLeaderChange((leader, term) => {
        if (leader !== to) return;
        clock.clearTimer(timer);
        unsubscribe();
        resolve({ leader, term });
      });
      host.transferLeadership(to);
    });
  }

  /** Proposes a membership change (the membership driver, on the leader). */
  changeMembers(change: RaftMemberChange): Promise<Committed> {
    if (this.host === null) return Promise.reject(new RaftHostError('no-leader', 'not formed'));
    return this.host.changeMembers(change);
  }

  /** The node's own view (the membership driver reads the leader's progress). */
  raftView(): RaftSnapshotView | null {
    return this.host?.view() ?? null;
  }

  status(view: RaftSnapshotView | null = this.raftView()): LedgerStatus {
    if (view === null) {
      return {
        role: 'forming',
        term: 0,
        leader: null,
        commitIndex: 0,
        appliedIndex: 0,
        voters: [],
        learners: [],
      };
    }
    const self = this.options.selfId;
    const role = view.voters.includes(self)
      ? view.role
      : view.learners.includes(self)
        ? 'learner'
        : 'joining';
    return {
      role,
      term: view.term,
      leader: view.leader,
      commitIndex: view.commitIndex,
      appliedIndex: view.appliedIndex,
      voters: view.voters,
      learners: view.learners,
    };
  }

  view(): LedgerView {
    const raft = this.raftView();
    return {
      status: this.status(raft),
      formingDetail: raft === null ? this.formingDetail : null,
      progress: raft?.progress ?? [],
      lastIndex: raft?.lastIndex ?? 0,
      snapshotIndex: raft?.snapshotIndex ?? 0,
      timeline: [...this.timeline],
      recent: this.machine.recent(RECENT_SHOWN),
      pendingOperations: this.operations.size,
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.host?.leave(this.handOverTarget());
    this.operations.stop();
  }

  /**
   * Whom a leader that leaves hands over to: its most caught-up reached voter, so the group
   * need not wait out an election timeout to replace it (null when not leading).
   */
  private handOverTarget(): AgentId | null {
    const host = this.host;
    if (host === null || host.node.currentRole !== 'leader') return null;
    const view = host.view();
    const reached = this.options.reached();
    const best = view.progress
      .filter((p) => view.voters.includes(p.peer) && reached.has(p.peer))
      .sort((a, b) => b.matchIndex - a.matchIndex || compareIds(a.peer, b.peer))[0];
    return best?.peer ?? null;
  }

  private readonly leaderListeners = new Set<(leader: AgentId, term: number) => void>();

  /** Called with each leader this agent learns of (itself included). */
  onLeaderChange(listener: (leader: AgentId, term: number) => void): () => void {
    this.leaderListeners.add(listener);
    return () => this.leaderListeners.delete(listener);
  }

  private onRaftEvent(event: RaftEvent): void {
    this.timeline.push({ atMs: this.options.clock.nowMs(), event });
    if (this.timeline.length > TIMELINE_KEPT) this.timeline.shift();
    if (event.type === 'raft-leader') {
      for (const listener of [...this.leaderListeners]) listener(event.leader, event.term);
    }
    this.options.onEvent?.(event);
  }

  /** Whether this agent reaches a majority of the voters it knows. */
  private hasQuorum(): boolean {
    const node = this.host?.node;
    if (node === undefined) return false;
    const reached = this.options.reached();
    const voters = node.membership.voters;
    return voters.filter((id) => reached.has(id)).length >= majorityOf(voters.length);
  }

  /**
   * Commits `op` as a write of this instance's session: every attempt carries the same number,
   * so one sent again after a lost answer is answered from the machine's cache, not applied
   * twice (host/ledgerSessions.ts).
   */
  private commit(op: LedgerOp): Promise<Committed> {
    const seq = this.nextSeq++;
    const dataFor = (ack: number) =>
      JSON.stringify({ op, session: { client: this.client, seq, ack } });
    const data = dataFor(seq);
    if (data === undefined) return Promise.reject(invalid('the value is not JSON'));
    const bytes = text.encode(data).length;
    if (bytes > RAFT_MAX_ENTRY_BYTES) {
      return Promise.reject(
        new RaftHostError('too-large', `entry of ${bytes} bytes, limit ${RAFT_MAX_ENTRY_BYTES}`),
      );
    }
    this.unanswered.add(seq);
    return new Promise((resolve, reject) => {
      this.operations.submit({
        startedMs: this.options.clock.nowMs(),
        idempotent: true,
        reject,
        done: () => this.unanswered.delete(seq),
        attempt: (host, settled, retry) =>
          host.proposeWith(
            dataFor(Math.min(seq, ...this.unanswered)),
            (committed) => {
              settled();
              const result = committed.result as LedgerResult;
              if (result.kind === 'refused') reject(new RaftHostError('refused', result.reason));
              // A copy sent again: where the first one was committed.
              else resolve({ ...committed, ...(result.duplicateOf ?? {}) });
            },
            retry,
          ),
      });
    });
  }
}

function keyRefusal(key: unknown): string | null {
  if (typeof key !== 'string' || key.length === 0 || key.length > LEDGER_MAX_KEY_CHARS)
    return `a key is a string of 1-${LEDGER_MAX_KEY_CHARS} characters`;
  return null;
}

function invalid(message: string): RaftHostError {
  return new RaftHostError('invalid', message);
}
