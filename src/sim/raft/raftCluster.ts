import type { AgentId } from '../../core/base/ids';
import type { Prng } from '../../core/base/prng';
import type { RaftOverrides } from '../../core/raft/config';
import { applyRaftPersist, loadRaftDurable } from '../../core/raft/durability';
import type { RaftMemberChange } from '../../core/raft/members';
import { RaftNode } from '../../core/raft/node';
import type { RaftEffect, RaftEvent, RaftInput } from '../../core/raft/types';
import { decodeFrame, encodeFrame, typeCodeOf } from '../../core/wire/codec';
import { isRaftMessageType } from '../../core/wire/raftMessages';
import type { KvHistoryOp, KvOp } from '../linearizability';
import { Network, type PathConfig } from '../network';
import { Scheduler } from '../scheduler';
import { randomAgentIds, Stream, streamPrng } from '../seeds';
import type { SimEvent } from '../simEvent';
import { Trace, TraceKind } from '../trace';
import { KvMachine } from './kvMachine';
import { RaftSafetyChecker } from './raftCheckers';

/** A client operation waiting for its outcome at the node it was given to. */
interface PendingOp {
  record: KvHistoryOp;
  /** Where the leader put the entry, once known. */
  at: { index: number; term: number } | null;
  /** A read's index, once the leader confirmed it. */
  readIndex: number | null;
}

export interface RaftSimNode {
  index: number;
  id: AgentId;
  node: RaftNode;
  machine: KvMachine;
  storage: Map<string, string>;
  up: boolean;
  /** Left for good (its storage lost): never restarts under this id. */
  retired: boolean;
  /** Has run at some point (a spare has not until it replaces someone). */
  started: boolean;
  wake: SimEvent | null;
  pending: Map<number, PendingOp>;
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

/**
 * Raft nodes on the packet simulator: each message is encoded by the real codec, carried by
 * `Network` (loss, duplication, delay, partitions), decoded and stepped into the same
 * `RaftNode` a page runs. Storage is a map per node that survives crashes; clients issue
 * register operations through any node and every outcome is recorded for the
 * linearizability checker.
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
  private nextOpId = 1;

  constructor(readonly options: RaftClusterOptions) {
    const total = options.voters + options.spares;
    const ids = randomAgentIds(streamPrng(options.seed, Stream.ids), total);
    this.initialVoters = ids.slice(0, options.voters);
    this.network = new Network(total, streamPrng(options.seed, Stream.network), options.network);
    this.timerPrng = streamPrng(options.seed, Stream.timers);
    ids.forEach((id, index) => {
      const sim: RaftSimNode = {
        index,
        id,
        node: this.newNode(id, index, undefined),
        machine: new KvMachine(),
        storage: new Map(),
        up: index < options.voters,
        retired: false,
        started: index < options.voters,
        wake: null,
        pending: new Map(),
      };
      this.nodes.push(sim);
      this.byId.set(id, sim);
    });
    for (const sim of this.nodes) if (sim.up) this.armTimer(sim);
  }

  private newNode(
    id: AgentId,
    index: number,
    restored: ReturnType<typeof loadRaftDurable>,
  ): RaftNode {
    return new RaftNode({
      selfId: id,
      initialVoters: this.initialVoters,
      prng: streamPrng(this.options.seed, Stream.agent, index, this.scheduler.nowMs()),
      nowMs: this.scheduler.nowMs(),
      config: this.options.config ?? {},
      ...(restored ? { restored } : {}),
    });
  }

  step(sim: RaftSimNode, input: RaftInput): void {
    if (!sim.up) return;
    const effects = sim.node.step(input);
    this.run(sim, effects);
    sim.node.invariants();
    this.checker.afterStep(sim.node);
    this.armTimer(sim);
  }

  private armTimer(sim: RaftSimNode): void {
    if (sim.wake !== null) sim.wake.cancelled = true;
    const jitter =
      this.options.timerJitterMs > 0 ? this.timerPrng.nextFloat() * this.options.timerJitterMs : 0;
    const at = Math.max(sim.node.nextWakeMs(), this.scheduler.nowMs()) + jitter;
    sim.wake = this.scheduler.at(at, () => {
      sim.wake = null;
      this.trace.record(this.scheduler.nowMs(), TraceKind.timer, sim.index, -1, 0);
      this.step(sim, { kind: 'tick', nowMs: this.scheduler.nowMs() });
    });
  }

  private run(sim: RaftSimNode, effects: RaftEffect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'send':
          this.transmit(sim, effect.to, encodeFrame(effect.msg));
          break;
        case 'persist':
          applyRaftPersist(sim.storage, effect);
          break;
        case 'apply':
          this.checker.onApplied(effect.entries);
          for (const entry of effect.entries) {
            if (entry.kind === 'config') this.configIndexes.add(entry.index);
            this.applyEntry(sim, entry.index, entry.term, entry.kind, entry.data);
          }
          this.serveReads(sim);
          break;
        case 'restore':
          sim.machine.restore(effect.snapshot.data);
          this.failOverwritten(sim, effect.snapshot.index);
          this.serveReads(sim);
          break;
        case 'snapshotWanted': {
          const data = sim.machine.snapshot();
          // Answered at the same instant, after this step, as the hosts do.
          this.scheduler.at(this.scheduler.nowMs(), () =>
            this.step(sim, {
              kind: 'snapshot',
              index: effect.index,
              data,
              nowMs: this.scheduler.nowMs(),
            }),
          );
          break;
        }
        case 'proposal':
          this.onProposal(sim, effect.id, effect.result);
          break;
        case 'read':
          this.onRead(sim, effect.id, effect.result);
          break;
        case 'event':
          this.events.push({ atMs: this.scheduler.nowMs(), node: sim.index, event: effect.event });
          if (effect.event.type === 'raft-leader')
            this.checker.onLeader(effect.event.term, sim.id, sim.node);
          break;
      }
    }
  }

  private transmit(from: RaftSimNode, to: AgentId, frame: Uint8Array): void {
    const target = this.byId.get(to);
    if (target === undefined) return;
    const copies = this.network.transmit(from.index, target.index);
    for (let i = 0; i < copies; i++) {
      const delay = this.network.delaysMs[i] as number;
      this.scheduler.at(this.scheduler.nowMs() + delay, () => {
        if (!target.up) {
          this.network.countDrop('agent-down');
          return;
        }
        const decoded = decodeFrame(frame);
        if (!decoded.ok || !isRaftMessageType(decoded.msg.type))
          throw new Error(`undecodable frame: ${JSON.stringify(decoded)}`);
        this.network.countDelivered();
        this.trace.record(
          this.scheduler.nowMs(),
          TraceKind.deliver,
          target.index,
          from.index,
          typeCodeOf(decoded.msg.type),
        );
        this.step(target, {
          kind: 'message',
          from: from.id,
          msg: decoded.msg as never,
          nowMs: this.scheduler.nowMs(),
        });
      });
    }
  }

  // ---- clients -------------------------------------------------------------------------

  /** A client of `sim` starts `op`; its outcome is recorded in the history. */
  invoke(sim: RaftSimNode, client: number, op: KvOp): void {
    if (!sim.up) return;
    const id = this.nextOpId++;
    const record: KvHistoryOp = {
      client,
      op,
      invokeMs: this.scheduler.nowMs(),
      returnMs: null,
      output: null,
    };
    this.history.push(record);
    sim.pending.set(id, { record, at: null, readIndex: null });
    this.scheduler.at(this.scheduler.nowMs() + CLIENT_TIMEOUT_MS, () => sim.pending.delete(id));
    const nowMs = this.scheduler.nowMs();
    if (op.kind === 'get') this.step(sim, { kind: 'read', id, nowMs });
    else this.step(sim, { kind: 'propose', id, data: JSON.stringify({ id, op }), nowMs });
  }

  changeMembers(sim: RaftSimNode, change: RaftMemberChange): void {
    this.step(sim, { kind: 'changeMembers', id: 0, change, nowMs: this.scheduler.nowMs() });
  }

  private onProposal(
    sim: RaftSimNode,
    id: number,
    result: Extract<RaftEffect, { kind: 'proposal' }>['result'],
  ): void {
    const pending = sim.pending.get(id);
    if (pending === undefined) return;
    if (result.ok) pending.at = { index: result.index, term: result.term };
    else if (result.reason === 'unanswered')
      sim.pending.delete(id); // unknown: stays open
    else this.drop(sim, id); // refused: it never happened
  }

  private onRead(
    sim: RaftSimNode,
    id: number,
    result: Extract<RaftEffect, { kind: 'read' }>['result'],
  ): void {
    const pending = sim.pending.get(id);
    if (pending === undefined) return;
    if (!result.ok) this.drop(sim, id);
    else {
      pending.readIndex = result.index;
      this.serveReads(sim);
    }
  }

  private serveReads(sim: RaftSimNode): void {
    const applied = sim.node.view().appliedIndex;
    for (const [id, pending] of sim.pending) {
      if (pending.readIndex === null || pending.readIndex > applied) continue;
      this.complete(sim, id, { kind: 'get', value: sim.machine.get(pending.record.op.key) });
    }
  }

  private applyEntry(
    sim: RaftSimNode,
    index: number,
    term: number,
    kind: string,
    data: string,
  ): void {
    let output = null;
    let opId = 0;
    if (kind === 'data') {
      const parsed = JSON.parse(data) as { id: number; op: KvOp };
      output = sim.machine.apply(parsed.op);
      opId = parsed.id;
    }
    for (const [id, pending] of sim.pending) {
      if (pending.at === null || pending.at.index !== index) continue;
      if (pending.at.term === term && id === opId && output !== null)
        this.complete(sim, id, output);
      else this.drop(sim, id); // another entry holds its place: it was never committed
    }
  }

  /** After a snapshot install, proposals whose index it covers have an unknown outcome. */
  private failOverwritten(sim: RaftSimNode, index: number): void {
    for (const [id, pending] of sim.pending)
      if (pending.at !== null && pending.at.index <= index) sim.pending.delete(id);
  }

  private complete(sim: RaftSimNode, id: number, output: KvHistoryOp['output']): void {
    const pending = sim.pending.get(id);
    if (pending === undefined) return;
    sim.pending.delete(id);
    pending.record.returnMs = this.scheduler.nowMs();
    pending.record.output = output;
  }

  /** The operation certainly did not take effect: it leaves the history. */
  private drop(sim: RaftSimNode, id: number): void {
    const pending = sim.pending.get(id);
    if (pending === undefined) return;
    sim.pending.delete(id);
    const at = this.history.indexOf(pending.record);
    if (at >= 0) this.history.splice(at, 1);
  }

  // ---- faults --------------------------------------------------------------------------

  crash(sim: RaftSimNode): void {
    if (!sim.up) return;
    sim.up = false;
    if (sim.wake !== null) sim.wake.cancelled = true;
    sim.wake = null;
    sim.pending.clear(); // their outcomes are unknown
  }

  /** Restarts a crashed node from what it stored. */
  restart(sim: RaftSimNode): void {
    if (sim.up || sim.retired) return;
    const restored = loadRaftDurable(sim.storage);
    sim.node = this.newNode(sim.id, sim.index, restored);
    sim.machine = new KvMachine();
    if (restored?.snapshot) sim.machine.restore(restored.snapshot.data);
    sim.up = true;
    this.run(sim, sim.node.replayRestored());
    this.armTimer(sim);
  }

  /** Loses a node's storage for good: the agent is gone, a new one (a spare) may replace it. */
  retire(sim: RaftSimNode): void {
    this.crash(sim);
    sim.retired = true;
    sim.storage.clear();
  }

  /** Starts a spare agent with empty storage: it waits to be added as a learner. */
  startSpare(sim: RaftSimNode): void {
    if (sim.up || sim.retired) return;
    sim.up = true;
    sim.started = true;
    this.armTimer(sim);
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
