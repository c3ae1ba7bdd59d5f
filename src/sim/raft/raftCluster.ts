import type { AgentId } from '../../core/base/ids';
import type { Prng } from '../../core/base/prng';
import type { RaftOverrides } from '../../core/raft/config';
import type { RaftMemberChange } from '../../core/raft/members';
import type { RaftEvent } from '../../core/raft/types';
import type { RaftEntry } from '../../core/wire/raftMessages';
import type { Clock, TransportHandler } from '../../host/ports';
import { RaftHost, type RaftHostError } from '../../host/raftHost';
import type { KvHistoryOp, KvOp, KvOutput } from '../linearizability';
import { Network, type PathConfig } from '../network';
import { Scheduler } from '../scheduler';
import { randomAgentIds, Stream, streamPrng } from '../seeds';
import type { SimEvent } from '../simEvent';
import { Trace, TraceKind } from '../trace';
import { KvMachine } from './kvMachine';
import { RaftSafetyChecker } from './raftCheckers';

export interface RaftSimNode {
  index: number;
  id: AgentId;
  host: RaftHost;
  /** The host's node (for the checkers and the fault plans). */
  node: RaftHost['node'];
  machine: KvMachine;
  storage: Map<string, string>;
  handler: TransportHandler | null;
  up: boolean;
  /** Left for good (its storage lost): never restarts under this id. */
  retired: boolean;
  /** Has run at some point (a spare has not until it replaces someone). */
  started: boolean;
}

export interface RaftClusterOptions {
  seed: number;
  voters: number;
  /** Agents outside the first configuration, which replacements bring in. */
  spares: number;
  network?: Partial<PathConfig>;
  config?: RaftOverrides;
  /** Extra delay added to each timer, in [0, jitterMs). */
  timerJitterMs: number;
}

/** Unanswered client operations end as unknown after this long. */
const CLIENT_TIMEOUT_MS = 4000;

/** Outcomes that mean the operation never took effect (else its outcome is unknown). */
const NEVER_HAPPENED = new Set(['no-leader', 'no-quorum', 'too-large', 'overloaded', 'refused']);

/**
 * Raft agents on the packet simulator, each the same `RaftHost` a page runs, with simulated
 * ports: a transport over `Network` (loss, duplication, delay, partitions), a clock on the
 * scheduler (with timer jitter), storage in a map that survives crashes. Every message is
 * encoded by the real codec, carried, decoded and stepped in. Clients issue register operations
 * through any agent and every outcome is recorded for the linearizability checker.
 */
export class RaftCluster {
  readonly scheduler = new Scheduler();
  readonly network: Network;
  readonly trace = new Trace(64);
  readonly checker = new RaftSafetyChecker();
  readonly nodes: RaftSimNode[] = [];
  readonly history: KvHistoryOp[] = [];
  readonly events: { atMs: number; node: number; event: RaftEvent }[] = [];
  readonly initialVoters: AgentId[];
  /** Indexes of config entries applied anywhere: the membership changes committed. */
  readonly configIndexes = new Set<number>();
  private readonly byId = new Map<AgentId, RaftSimNode>();
  private readonly timerPrng: Prng;
  private readonly clock: Clock;

  constructor(readonly options: RaftClusterOptions) {
    const total = options.voters + options.spares;
    const ids = randomAgentIds(streamPrng(options.seed, Stream.ids), total);
    this.initialVoters = ids.slice(0, options.voters);
    this.network = new Network(total, streamPrng(options.seed, Stream.network), options.network);
    this.timerPrng = streamPrng(options.seed, Stream.timers);
    const scheduler = this.scheduler;
    this.clock = {
      nowMs: () => scheduler.nowMs(),
      setTimer: (atMs, callback) => {
        const jitter =
          options.timerJitterMs > 0 ? this.timerPrng.nextFloat() * options.timerJitterMs : 0;
        return scheduler.at(atMs + jitter, callback);
      },
      clearTimer: (handle) => {
        (handle as SimEvent).cancelled = true;
      },
    };
    ids.forEach((id, index) => {
      const sim = {
        index,
        id,
        storage: new Map(),
        handler: null,
        up: false,
        retired: false,
        started: false,
      } as unknown as RaftSimNode;
      this.nodes.push(sim);
      this.byId.set(id, sim);
    });
    for (const sim of this.nodes.slice(0, options.voters)) this.boot(sim);
  }

  /** Starts (or restarts) a node's host over its stored records. */
  private boot(sim: RaftSimNode): void {
    sim.up = true;
    sim.started = true;
    sim.machine = new KvMachine();
    sim.host = new RaftHost({
      selfId: sim.id,
      initialVoters: this.initialVoters,
      transport: {
        setHandler: (handler) => (sim.handler = handler),
        send: (peer, frame) => this.transmit(sim, peer, frame),
        close: () => undefined,
        connect: () => undefined,
      },
      clock: this.clock,
      prng: streamPrng(this.options.seed, Stream.agent, sim.index, this.scheduler.nowMs()),
      machine: {
        apply: (entry) => this.applyData(sim, entry),
        snapshot: () => sim.machine.snapshot(),
        restore: (text) => sim.machine.restore(text),
      },
      storage: {
        write: (changes, done) => {
          for (const key of changes.deletes) sim.storage.delete(key);
          for (const { key, value } of changes.puts) sim.storage.set(key, value);
          done();
        },
      },
      stored: sim.storage,
      config: this.options.config ?? {},
      timeoutMs: CLIENT_TIMEOUT_MS,
      onEvent: (event) => {
        this.events.push({ atMs: this.scheduler.nowMs(), node: sim.index, event });
        if (event.type === 'raft-leader' && event.leader === sim.id)
          this.checker.onLeader(event.term, sim.id, sim.host.node);
      },
      onApplied: (entries) => {
        this.checker.onApplied(entries);
        for (const entry of entries)
          if (entry.kind === 'config') this.configIndexes.add(entry.index);
      },
      afterStep: (node) => {
        node.invariants();
        this.checker.afterStep(node);
      },
    });
    sim.node = sim.host.node;
  }

  private applyData(sim: RaftSimNode, entry: RaftEntry): KvOutput {
    return sim.machine.apply((JSON.parse(entry.data) as { op: KvOp }).op);
  }

  private transmit(from: RaftSimNode, to: AgentId, frame: Uint8Array): void {
    const target = this.byId.get(to);
    if (target === undefined) return;
    const copies = this.network.transmit(from.index, target.index);
    for (let i = 0; i < copies; i++) {
      const delay = this.network.delaysMs[i] as number;
      this.scheduler.at(this.scheduler.nowMs() + delay, () => {
        if (!target.up || target.handler === null) {
          this.network.countDrop('agent-down');
          return;
        }
        this.network.countDelivered();
        // The frame's second byte is its type code: the host decodes it, the trace needs no copy.
        this.trace.record(
          this.scheduler.nowMs(),
          TraceKind.deliver,
          target.index,
          from.index,
          frame[1] ?? 0,
        );
        target.handler.onFrame(from.id, frame);
      });
    }
  }

  /**
   * Runs events until `untilMs`, or until `done` holds after one, or until a safety checker
   * finds a violation.
   */
  runUntil(untilMs: number, done: () => boolean = () => false): void {
    for (;;) {
      const event = this.scheduler.next(untilMs);
      if (event === undefined) return;
      event.callback?.();
      if (this.checker.violations.length > 0 || done()) return;
    }
  }

  // ---- clients -------------------------------------------------------------------------

  /** A client of `sim` starts `op`; its outcome is recorded in the history. */
  invoke(sim: RaftSimNode, client: number, op: KvOp): void {
    if (!sim.up) return;
    const record: KvHistoryOp = {
      client,
      op,
      invokeMs: this.scheduler.nowMs(),
      returnMs: null,
      output: null,
    };
    this.history.push(record);
    const failed = (error: RaftHostError): void => {
      if (!NEVER_HAPPENED.has(error.code)) return; // timeout, stopped: unknown, stays open
      const at = this.history.indexOf(record);
      if (at >= 0) this.history.splice(at, 1);
    };
    const done = (output: KvOutput): void => {
      record.returnMs = this.scheduler.nowMs();
      record.output = output;
    };
    if (op.kind === 'get') {
      const key = op.key;
      sim.host.readIndexWith(() => done({ kind: 'get', value: sim.machine.get(key) }), failed);
    } else {
      sim.host.proposeWith(
        JSON.stringify({ op }),
        (committed) => done(committed.result as KvOutput),
        failed,
      );
    }
  }

  changeMembers(sim: RaftSimNode, change: RaftMemberChange): void {
    sim.host.changeMembersWith(
      change,
      () => undefined,
      () => undefined,
    );
  }

  // ---- faults --------------------------------------------------------------------------

  crash(sim: RaftSimNode): void {
    if (!sim.up) return;
    sim.up = false;
    sim.handler = null;
    sim.host.stop(); // its clients' operations end unknown
  }

  /** Restarts a crashed node from what it stored. */
  restart(sim: RaftSimNode): void {
    if (sim.up || sim.retired) return;
    this.boot(sim);
  }

  /** Loses a node's storage for good: the agent is gone, a new one (a spare) may replace it. */
  retire(sim: RaftSimNode): void {
    this.crash(sim);
    sim.retired = true;
    sim.storage.clear();
  }

  /** Starts a spare agent with empty storage: it waits to be added as a learner. */
  startSpare(sim: RaftSimNode): void {
    if (sim.up || sim.retired || sim.started) return;
    this.boot(sim);
  }

  /** The node every live node that knows a leader names, if they agree. */
  leaderOf(): RaftSimNode | null {
    const leaders = this.nodes.filter((n) => n.up && n.node.currentRole === 'leader');
    if (leaders.length === 0) return null;
    return leaders.reduce((a, b) => (b.node.currentTerm > a.node.currentTerm ? b : a));
  }

  node(id: AgentId): RaftSimNode | undefined {
    return this.byId.get(id);
  }
}
