import type { AgentId } from '../../core/base/ids';
import type { Prng } from '../../core/base/prng';
import { pbftBehaviourOf, type ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import type { PbftClientEvent, ProposalError } from '../../core/pbft/client';
import type { PbftOverrides } from '../../core/pbft/config';
import type { PbftEvent, PbftSnapshot } from '../../core/pbft/types';
import { PBFT_MAX_ACTION_BYTES } from '../../core/wire/pbftMessages';
import type { ConsensusView, CriticalLogEntry, CriticalStatus } from '../../host/consensusView';
import { PbftHost } from '../../host/pbftHost';
import type { LoadedRecordStore } from '../../host/recordStore';
import type { Clock, CryptoPort, TimerHandle, Transport } from '../../host/ports';
import { sha256Hex } from '../../host/sha256Hex';
import { builtinKinds } from './builtinKinds';
import {
  CriticalApp,
  isCriticalAction,
  type CriticalAction,
  type CriticalKind,
  type ExecutedAction,
} from './criticalApp';
import { CriticalError, type CriticalErrorCode } from './criticalError';
import { CONSENSUS_LOG_SHOWN, ConsensusRecorder } from './consensusRecorder';
import type { GenesisTarget } from '../genesis/genesisDriver';
import { GENESIS_RECORD_KEY } from '../genesis/recordKeys';
import { ReplicaSet } from '../../core/pbft/replicaSet';
import { firstViewOf } from '../../core/pbft/epochs';

/** A replica set and the epoch it belongs to, as this agent knows it. */
export interface KnownConfiguration {
  epoch: number;
  replicas: AgentId[];
}

export interface CriticalResult {
  seq: number;
  view: number;
  result: unknown;
}

export interface CriticalOptions {
  selfId: AgentId;
  /** The pBFT lane of the agent's links (big frames already cut into chunks). */
  transport: Transport;
  clock: Clock;
  crypto: CryptoPort;
  prng: Prng;
  storage: LoadedRecordStore;
  /** How long a proposal waits for a replica set to form before it fails `no-quorum`. */
  formingWaitMs?: number;
  /** How long a proposal waits for its result in all. */
  proposalTimeoutMs?: number;
  config?: PbftOverrides;
  /** Called when an event worth logging happens (view changes, misbehaviour, ...). */
  onEvent?: (event: PbftEvent) => void;
}

interface Waiting {
  action: CriticalAction;
  text: string;
  startedMs: number;
  resolve: (result: CriticalResult) => void;
  reject: (error: Error) => void;
}

const DEFAULT_PROPOSAL_TIMEOUT_MS = 10_000;
const QUIET_EVENTS: ReadonlySet<PbftEvent['type']> = new Set([
  'pbft-phase',
  'pbft-executed',
  'pbft-checkpoint-stable',
]);
/** Proposals held while the replica set forms; more fail `busy`. */
const MAX_HELD_WHILE_FORMING = 64;
/**
 * A replica just started (a reloaded tab, say) has heard from nobody yet: a proposal its client
 * refuses `no-quorum` without sending is tried again every `REACH_RETRY_MS` for this long.
 */
const REACH_GRACE_MS = 3000;
const REACH_RETRY_MS = 100;

/**
 * `mesh.critical`: actions every replica executes in one order, once a Byzantine quorum agreed.
 * Owns the replicated app (the kind registry), and the pBFT host once the replica set is known
 * (core/agent/pbftGenesis.ts decides it); before that, proposals wait up to `formingWaitMs`.
 */
export class Critical implements GenesisTarget {
  readonly app: CriticalApp;
  private host: PbftHost | null = null;
  private role: ConsensusView['role'] = 'forming';
  private formingDetail = 'starting';
  private behaviour: ByzantineBehaviour = 'honest';
  private clientView = 0;
  private readonly recorder: ConsensusRecorder;
  private readonly held: Waiting[] = [];
  private readonly inFlight = new Map<number, Waiting>();
  /** Committed proposals waiting for this agent's own replica to execute them. */
  private readonly awaitingExecution = new Map<
    number,
    { seq: number; view: number; result: unknown; waiting: Waiting }[]
  >();
  private readonly executedListeners = new Set<(entry: ExecutedAction) => void>();
  private readonly configurationListeners = new Set<(known: KnownConfiguration) => void>();
  private known: KnownConfiguration | null = null;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private hostStartedMs = 0;
  /** The proposal being handed to the client right now (a refusal in that call sent nothing). */
  private sending: Waiting | null = null;
  /** Proposals refused before they were sent, waiting to be tried again. */
  private readonly retrying = new Map<Waiting, TimerHandle>();

  constructor(private readonly options: CriticalOptions) {
    this.app = new CriticalApp(sha256Hex, builtinKinds());
    this.recorder = new ConsensusRecorder(options.selfId);
    this.app.onExecuted((entry) => {
      for (const listener of this.executedListeners) listener(entry);
    });
    this.armTimer();
  }

  get formed(): boolean {
    return this.host !== null;
  }

  /**
   * Starts the replica (or only the client) for the decided replica set. Records of an earlier
   * run win over the genesis role: a replica a change added (or removed) comes back as one.
   */
  start(replicas: readonly AgentId[], role: 'replica' | 'client'): void {
    if (this.host !== null || this.stopped) return;
    const { options } = this;
    const nowMs = options.clock.nowMs();
    const restarting = [...options.storage.records.keys()].some(
      (key) => key !== GENESIS_RECORD_KEY,
    );
    this.app.seedReplicas(replicas);
    this.host = new PbftHost({
      selfId: options.selfId,
      replicas,
      app: this.app,
      digestOf: sha256Hex,
      transport: options.transport,
      clock: options.clock,
      crypto: options.crypto,
      prng: options.prng,
      // From the clock, so a reloaded tab never reuses a request number.
      firstReqNo: Math.floor(nowMs) * 1000 + 1,
      storage: options.storage,
      stored: options.storage.records,
      votes: role === 'replica' || restarting,
      ...(options.config === undefined ? {} : { config: options.config }),
      client: { proposalTimeoutMs: options.proposalTimeoutMs ?? DEFAULT_PROPOSAL_TIMEOUT_MS },
      onReplicaEvent: (event) => this.onReplicaEvent(event),
      onClientEvent: (event) => this.onClientEvent(event),
      onMessage: (direction, peer, msg) =>
        this.recorder.onMessage(direction, peer, msg, options.clock.nowMs()),
    });
    this.host.rewriter.behaviour = pbftBehaviourOf(this.behaviour);
    this.hostStartedMs = nowMs;
    const restored = this.host.replica.snapshot();
    this.role = role === 'replica' || restarting ? roleOf(restored.role) : 'client';
    const known = { epoch: restored.epoch, replicas: restored.replicas };
    this.known = role === 'replica' || restarting ? known : { epoch: 0, replicas: [...replicas] };
    this.host.reconfigureClient(this.known.replicas);
    for (const waiting of this.held.splice(0)) this.send(waiting);
    this.announce();
  }

  /** The replica set this agent follows, or null before one formed. */
  configuration(): KnownConfiguration | null {
    return this.known;
  }

  /** The replicas of that set (the genesis driver reports their reach). */
  currentMembers(): readonly AgentId[] | null {
    return this.known?.replicas ?? null;
  }

  /** Called whenever the replica set this agent follows changes (and once it formed). */
  onConfiguration(listener: (known: KnownConfiguration) => void): () => void {
    this.configurationListeners.add(listener);
    return () => this.configurationListeners.delete(listener);
  }

  /** The role this agent holds in the set it follows. */
  get currentRole(): ConsensusView['role'] {
    return this.role;
  }

  /**
   * A newer configuration f + 1 replicas of the one this agent follows announced (the
   * reconfiguration driver checks that): a client follows it; if it names this agent, the agent
   * clears its old records and joins by state transfer. A replica that has not reached it is
   * nudged to catch up (it may be the one the change removed).
   */
  follow(next: KnownConfiguration): void {
    const host = this.host;
    if (host === null || this.stopped || this.known === null) return;
    if (next.epoch <= this.known.epoch || this.role === 'replica' || this.role === 'joining')
      return;
    this.known = { epoch: next.epoch, replicas: [...next.replicas] };
    host.reconfigureClient(next.replicas);
    if (next.replicas.includes(this.options.selfId)) {
      this.role = 'joining';
      const { storage } = this.options;
      const stale = [...storage.records.keys()].filter((key) => key !== GENESIS_RECORD_KEY);
      storage.write({ puts: [], deletes: stale }, () => host.join(next));
    }
    this.announce();
  }

  private announce(): void {
    const known = this.known;
    if (known === null) return;
    for (const listener of this.configurationListeners) listener(known);
  }

  /** Still forming: what the genesis waits for. */
  setForming(detail: string): void {
    this.formingDetail = detail;
  }

  /** How many replicas this agent reaches now (self included), from the membership. */
  setReachable(count: number): void {
    this.host?.setReachable(count);
  }

  setBehaviour(behaviour: ByzantineBehaviour): void {
    this.behaviour = behaviour;
    if (this.host !== null) this.host.rewriter.behaviour = pbftBehaviourOf(behaviour);
  }

  register(kind: string, definition: CriticalKind): void {
    this.app.register(kind, definition);
  }

  propose(action: unknown): Promise<CriticalResult> {
    return new Promise((resolve, reject) => {
      if (this.stopped)
        return reject(new CriticalError('no-quorum', 'this agent has left the mesh'));
      if (!isCriticalAction(action)) {
        return reject(
          new CriticalError('invalid', 'an action is a JSON object with a string kind'),
        );
      }
      let text: string;
      try {
        text = JSON.stringify(action);
      } catch (error) {
        return reject(new CriticalError('invalid', `the action is not JSON: ${String(error)}`));
      }
      const bytes = new TextEncoder().encode(text).length;
      if (bytes > PBFT_MAX_ACTION_BYTES) {
        return reject(
          new CriticalError(
            'too-large',
            `action of ${bytes} bytes, limit ${PBFT_MAX_ACTION_BYTES}`,
          ),
        );
      }
      // Validated as the replicas will see it: the JSON text, parsed (undefined fields gone).
      const refusal = this.app.refusal(JSON.parse(text) as CriticalAction);
      if (refusal !== null) return reject(new CriticalError('invalid', refusal));
      const waiting: Waiting = {
        action,
        text,
        startedMs: this.options.clock.nowMs(),
        resolve,
        reject,
      };
      if (this.host !== null) return this.send(waiting);
      if (this.held.length >= MAX_HELD_WHILE_FORMING) {
        return reject(new CriticalError('busy', 'too many proposals wait for the replica set'));
      }
      this.held.push(waiting);
    });
  }

  status(snapshot: PbftSnapshot | null = this.host?.replica.snapshot() ?? null): CriticalStatus {
    const known = this.known;
    if (snapshot === null || known === null) {
      return {
        epoch: 0,
        replicas: [],
        n: 0,
        f: 0,
        quorum: 0,
        view: 0,
        viewInEpoch: 0,
        primary: null,
        lastExecutedSeq: 0,
        stableCheckpointSeq: 0,
        behaviour: this.behaviour,
      };
    }
    if (this.role === 'replica') {
      return {
        epoch: snapshot.epoch,
        replicas: snapshot.replicas,
        n: snapshot.n,
        f: snapshot.f,
        quorum: snapshot.quorum,
        view: snapshot.view,
        viewInEpoch: snapshot.view - firstViewOf(snapshot.epoch),
        primary: snapshot.primary,
        lastExecutedSeq: snapshot.lastExecutedSeq,
        stableCheckpointSeq: snapshot.stableCheckpointSeq,
        behaviour: this.behaviour,
      };
    }
    // A client (or a joiner) votes on nothing: the set it follows, and the newest view a reply
    // certificate named, are what it knows.
    const set = new ReplicaSet(known.replicas);
    const view = Math.max(this.clientView, snapshot.epoch === known.epoch ? snapshot.view : 0);
    return {
      epoch: known.epoch,
      replicas: [...known.replicas],
      n: set.n,
      f: set.f,
      quorum: set.quorum,
      view,
      viewInEpoch: Math.max(0, view - firstViewOf(known.epoch)),
      primary: set.primaryOf(view),
      lastExecutedSeq: snapshot.lastExecutedSeq,
      stableCheckpointSeq: snapshot.stableCheckpointSeq,
      behaviour: this.behaviour,
    };
  }

  log(options: { fromSeq?: number; limit?: number } = {}): CriticalLogEntry[] {
    const fromSeq = options.fromSeq ?? 0;
    const limit = Math.max(0, Math.min(options.limit ?? 100, 1000));
    return this.withViews(this.app.log(fromSeq, limit), this.status().view);
  }

  /** Every action executed from now on, in order (replicas only). */
  onExecuted(listener: (entry: ExecutedAction) => void): () => void {
    this.executedListeners.add(listener);
    return () => this.executedListeners.delete(listener);
  }

  view(): ConsensusView {
    // One snapshot per view: the dashboard asks four times a second.
    const snapshot = this.host?.replica.snapshot() ?? null;
    const status = this.status(snapshot);
    return this.recorder.view(
      {
        role: this.role,
        formingDetail: this.role === 'forming' ? this.formingDetail : null,
        status,
        snapshot: this.role === 'replica' ? snapshot : null,
        log: this.withViews(this.app.recent(CONSENSUS_LOG_SHOWN), status.view),
        outstandingProposals: this.inFlight.size + this.held.length + this.retrying.size,
      },
      this.options.clock.nowMs(),
    );
  }

  stop(): void {
    this.stopped = true;
    this.host?.stop();
    if (this.timer !== null) this.options.clock.clearTimer(this.timer);
    const committed = [...this.awaitingExecution.values()].flat().map((entry) => entry.waiting);
    for (const timer of this.retrying.values()) this.options.clock.clearTimer(timer);
    const refused = [...this.retrying.keys()];
    this.retrying.clear();
    for (const waiting of [
      ...this.held.splice(0),
      ...this.inFlight.values(),
      ...committed,
      ...refused,
    ]) {
      waiting.reject(new CriticalError('no-quorum', 'this agent has left the mesh'));
    }
    this.inFlight.clear();
    this.awaitingExecution.clear();
  }

  /** Executed entries with the view this agent saw each commit in (else the current one). */
  private withViews(entries: ExecutedAction[], currentView: number): CriticalLogEntry[] {
    return entries.map((entry) => ({
      ...entry,
      view: this.recorder.viewOf(entry.seq) ?? currentView,
    }));
  }

  private send(waiting: Waiting): void {
    const host = this.host as PbftHost;
    const reqNo = host.client.nextRequestNumber;
    this.inFlight.set(reqNo, waiting);
    this.sending = waiting;
    try {
      host.propose(waiting.text);
    } finally {
      this.sending = null;
    }
  }

  /**
   * A `no-quorum` refusal made before anything was sent, in the first seconds of the host: the
   * membership has not reported the replicas' reach yet, so the proposal is tried again later
   * (it cannot have committed). Returns whether it will be.
   */
  private retriedAfterStart(waiting: Waiting): boolean {
    const { clock } = this.options;
    const nowMs = clock.nowMs();
    const timeoutMs = this.options.proposalTimeoutMs ?? DEFAULT_PROPOSAL_TIMEOUT_MS;
    if (this.sending !== waiting || nowMs - this.hostStartedMs >= REACH_GRACE_MS) return false;
    if (nowMs - waiting.startedMs + REACH_RETRY_MS >= timeoutMs) return false;
    const timer = clock.setTimer(nowMs + REACH_RETRY_MS, () => {
      this.retrying.delete(waiting);
      if (!this.stopped) this.send(waiting);
    });
    this.retrying.set(waiting, timer);
    return true;
  }

  private onClientEvent(event: PbftClientEvent): void {
    const waiting = this.inFlight.get(event.reqNo);
    if (waiting === undefined) return;
    this.inFlight.delete(event.reqNo);
    if (event.type === 'proposal-failed') {
      if (event.error === 'no-quorum' && this.retriedAfterStart(waiting)) return;
      waiting.reject(new CriticalError(event.error, failureMessage(event.error)));
      return;
    }
    let outcome: { ok: boolean; value?: unknown; error?: CriticalErrorCode; reason?: string };
    try {
      outcome = JSON.parse(event.result) as typeof outcome;
    } catch {
      waiting.reject(
        new CriticalError('failed', 'the replicas returned a result that is not JSON'),
      );
      return;
    }
    if (!outcome.ok) {
      waiting.reject(new CriticalError(outcome.error ?? 'failed', outcome.reason ?? 'refused'));
      return;
    }
    this.clientView = Math.max(this.clientView, event.view);
    const committed = { seq: event.seq, view: event.view, result: outcome.value ?? null };
    const executed = this.host?.replica.lastExecutedSeq ?? 0;
    if (this.role !== 'replica' || executed >= event.seq) {
      waiting.resolve(committed);
      return;
    }
    const list = this.awaitingExecution.get(event.seq) ?? [];
    list.push({ ...committed, waiting });
    this.awaitingExecution.set(event.seq, list);
  }

  private onReplicaEvent(event: PbftEvent): void {
    const nowMs = this.options.clock.nowMs();
    this.recorder.onReplicaEvent(event, nowMs);
    if (event.type === 'pbft-reconfigured') this.onReconfigured(event);
    if (event.type === 'pbft-executed' || event.type === 'pbft-state-transferred') {
      this.settleExecuted(event.seq);
    }
    // Phases, executions and checkpoints come many a second: the Consensus tab shows them.
    if (!QUIET_EVENTS.has(event.type)) this.options.onEvent?.(event);
  }

  /** This agent's replica entered a new epoch (executed the change, or took its state). */
  private onReconfigured(event: Extract<PbftEvent, { type: 'pbft-reconfigured' }>): void {
    const known = this.known;
    if (known !== null && event.epoch < known.epoch) return;
    this.known = { epoch: event.epoch, replicas: [...event.replicas] };
    this.role = event.member ? 'replica' : 'client';
    this.host?.reconfigureClient(event.replicas);
    this.announce();
  }

  /** Resolves the proposals that committed at or below `seq`, now executed here too. */
  private settleExecuted(seq: number): void {
    for (const [at, list] of this.awaitingExecution) {
      if (at > seq) continue;
      this.awaitingExecution.delete(at);
      for (const { waiting, ...result } of list) waiting.resolve(result);
    }
  }

  /**
   * Held proposals fail `no-quorum` once no replica set formed within the wait; committed ones
   * whose execution here lags fail `timeout` once their time is up.
   */
  private armTimer(): void {
    const { clock } = this.options;
    this.timer = clock.setTimer(clock.nowMs() + 250, () => {
      this.timer = null;
      if (this.stopped) return;
      const nowMs = clock.nowMs();
      const formingWaitMs = this.options.formingWaitMs ?? DEFAULT_PROPOSAL_TIMEOUT_MS;
      for (let i = this.held.length - 1; i >= 0; i--) {
        const waiting = this.held[i] as Waiting;
        if (nowMs - waiting.startedMs < formingWaitMs) continue;
        this.held.splice(i, 1);
        waiting.reject(
          new CriticalError('no-quorum', `no replica set formed yet: ${this.formingDetail}`),
        );
      }
      const timeoutMs = this.options.proposalTimeoutMs ?? DEFAULT_PROPOSAL_TIMEOUT_MS;
      for (const [seq, list] of this.awaitingExecution) {
        const late = list.filter(({ waiting }) => nowMs - waiting.startedMs >= timeoutMs);
        if (late.length === 0) continue;
        const kept = list.filter((entry) => !late.includes(entry));
        if (kept.length === 0) this.awaitingExecution.delete(seq);
        else this.awaitingExecution.set(seq, kept);
        for (const { waiting } of late) {
          waiting.reject(
            new CriticalError('timeout', `committed at seq ${seq}; not yet executed by this agent`),
          );
        }
      }
      this.armTimer();
    });
  }
}

function roleOf(role: PbftSnapshot['role']): ConsensusView['role'] {
  return role === 'retired' ? 'client' : role;
}

function failureMessage(error: ProposalError): string {
  switch (error) {
    case 'no-quorum':
      return 'this side of the mesh cannot reach a quorum of replicas';
    case 'timeout':
      return 'no result from f + 1 replicas in time; the outcome is unknown';
    case 'too-large':
      return `the action is over ${PBFT_MAX_ACTION_BYTES} bytes`;
    case 'busy':
      return 'too many proposals of this agent wait for their result';
  }
}
