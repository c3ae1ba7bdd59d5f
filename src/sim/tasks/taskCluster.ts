import type { AgentId } from '../../core/base/ids';
import { hash32 } from '../../core/base/hash32';
import type { Prng } from '../../core/base/prng';
import { DEFAULT_TASK_SETTINGS } from '../../core/tasks/taskDefaults';
import { TaskNode } from '../../core/tasks/taskNode';
import { TaskTable, type TaskTableOp } from '../../core/tasks/taskTable';
import type {
  JobSpec,
  TaskEvent,
  TaskNodeConfig,
  TaskNodeEffect,
} from '../../core/tasks/taskTypes';
import { decodeTaskFrame, encodeTaskFrame } from '../../core/wire/taskCodec';
import { EventQueue, type Queued } from '../eventQueue';

/** A deterministic stand-in for SHA-256 hex: eight 32-bit hashes of the text. */
export function simDigest(text: string): string {
  let hex = '';
  for (let i = 0; i < 8; i++) hex += hash32(`${i}:${text}`).toString(16).padStart(8, '0');
  return hex;
}

/** The `sim.square` kind: `{n, ms}` runs `ms` and answers n², with who ran it. */
export function expectedValue(input: string): number {
  const { n } = JSON.parse(input) as { n: number };
  return n * n;
}

type SimEvent = Queued &
  (
    | { kind: 'deliver'; from: AgentId; to: AgentId; frame: Uint8Array }
    | { kind: 'ledger'; agent: AgentId; opId: number; op: TaskTableOp }
    | {
        kind: 'ledger-reply';
        agent: AgentId;
        opId: number;
        outcome: Parameters<TaskNode['onLedger']>[1];
      }
    | {
        kind: 'run-done';
        agent: AgentId;
        incarnation: number;
        runId: number;
        input: string;
        ms: number;
        fail: boolean;
      }
    | { kind: 'wake'; agent: AgentId; incarnation: number }
    | { kind: 'membership' }
    | { kind: 'action'; run: () => void }
  );

export interface SimAgent {
  id: AgentId;
  node: TaskNode;
  /** Bumped by a restart: events for an earlier life are dropped. */
  incarnation: number;
  crashed: boolean;
  /** Run times are multiplied by this (a slow agent). */
  slowness: number;
  side: number;
  wakeAtMs: number | null;
  cancelled: Set<number>;
  events: TaskEvent[];
}

export interface TaskClusterOptions {
  ids: AgentId[];
  workers: (index: number) => number;
  prng: Prng;
  /** One-way link delay range, ms. */
  latencyMs: [number, number];
  /** A ledger answer is lost (after the operation was applied) this often. */
  ledgerReplyLoss: number;
  /** A run fails this often. */
  runFailure: number;
  /** How long the membership takes to notice a crash or a cut, ms. */
  detectMs: number;
  config?: Partial<TaskNodeConfig>;
}

const LEDGER_TIMEOUT_MS = 1000;

/**
 * Task nodes over a simulated network on one virtual clock, with the task table as a
 * linearisable ledger that only the side holding a majority of the agents can reach (as a Raft
 * group spread over them would be), crashes, partitions and slow agents. Runs are timed, not
 * computed: `sim.square` answers n² after its `ms`, times the agent's slowness.
 */
export class TaskCluster {
  readonly table = new TaskTable();
  readonly agents = new Map<AgentId, SimAgent>();
  private readonly queue = new EventQueue<SimEvent>();
  nowMs = 0;
  /** Results accepted per job and task, counted over the whole run. */
  readonly acceptedCount = new Map<string, number>();
  readonly nodeConfig: TaskNodeConfig;

  constructor(private readonly options: TaskClusterOptions) {
    this.nodeConfig = {
      ...DEFAULT_TASK_SETTINGS,
      workers: 2,
      // A simulated worker runs what it is given; the host's worker-side queue is not modelled.
      runsPerWorker: 1,
      capabilities: { cores: 4, memoryGb: 8, webgpu: false, tags: [] },
      digestOf: simDigest,
      // Quicker than between tabs (links of a few ms), and more attempts: a seed may crash and
      // cut off several owners of one task.
      bidWaitMs: 100,
      reofferMs: 2000,
      maxAttempts: 8,
      ...options.config,
    };
    for (const [index, id] of options.ids.entries()) {
      this.agents.set(id, {
        id,
        node: this.newNode(id, index),
        incarnation: 0,
        crashed: false,
        slowness: 1,
        side: 0,
        wakeAtMs: null,
        cancelled: new Set(),
        events: [],
      });
    }
    this.refreshMembership();
  }

  submit(agent: AgentId, spec: JobSpec): void {
    this.feed(agent, (node) => node.submit(spec, this.nowMs));
  }

  at(atMs: number, run: () => void): void {
    this.queue.push({ atMs, seq: 0, kind: 'action', run });
  }

  crash(agent: AgentId): void {
    const a = this.agents.get(agent) as SimAgent;
    a.crashed = true;
    a.incarnation++;
    this.queue.push({ atMs: this.nowMs + this.options.detectMs, seq: 0, kind: 'membership' });
  }

  /** Splits the agents into sides (agents not named stay on side 0). */
  partition(sides: AgentId[][]): void {
    for (const a of this.agents.values()) a.side = 0;
    for (const [i, side] of sides.entries())
      for (const id of side) (this.agents.get(id) as SimAgent).side = i;
    this.queue.push({ atMs: this.nowMs + this.options.detectMs, seq: 0, kind: 'membership' });
  }

  heal(): void {
    for (const a of this.agents.values()) a.side = 0;
    this.queue.push({ atMs: this.nowMs + 200, seq: 0, kind: 'membership' });
  }

  setSlowness(agent: AgentId, slowness: number): void {
    (this.agents.get(agent) as SimAgent).slowness = slowness;
  }

  /** Runs events up to `untilMs`, calling `check` after each. */
  runUntil(untilMs: number, check: () => void, stop: () => boolean = () => false): void {
    for (;;) {
      const next = this.queue.peek();
      if (stop()) return;
      if (next === undefined || next.atMs > untilMs) break;
      this.queue.pop();
      this.nowMs = Math.max(this.nowMs, next.atMs);
      this.dispatch(next);
      check();
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  /** The side holding a majority of all agents (crashed ones count: their votes are lost). */
  private ledgerSide(): number | null {
    const counts = new Map<number, number>();
    for (const a of this.agents.values())
      if (!a.crashed) counts.set(a.side, (counts.get(a.side) ?? 0) + 1);
    for (const [side, count] of counts) if (count > this.agents.size / 2) return side;
    return null;
  }

  private reachable(a: SimAgent, b: SimAgent): boolean {
    return !a.crashed && !b.crashed && a.side === b.side;
  }

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case 'action':
        return event.run();
      case 'membership':
        return this.refreshMembership();
      case 'deliver': {
        const to = this.agents.get(event.to) as SimAgent;
        const from = this.agents.get(event.from) as SimAgent;
        if (!this.reachable(from, to)) return;
        const decoded = decodeTaskFrame(event.frame);
        if (!decoded.ok) throw new Error(`undecodable frame: ${decoded.reason}`);
        return this.feed(event.to, (node) =>
          node.onMessage(event.from, decoded.message, this.nowMs),
        );
      }
      case 'ledger': {
        const agent = this.agents.get(event.agent) as SimAgent;
        const side = this.ledgerSide();
        if (agent.crashed) return;
        if (side === null || agent.side !== side) {
          const outcome = { ok: false as const, reason: 'no quorum', retryable: true };
          this.queue.push({
            atMs: this.nowMs + LEDGER_TIMEOUT_MS,
            seq: 0,
            kind: 'ledger-reply',
            agent: event.agent,
            opId: event.opId,
            outcome,
          });
          return;
        }
        let outcome: Parameters<TaskNode['onLedger']>[1];
        const refusal = TaskTable.refusal(event.op);
        if (refusal !== null)
          throw new Error(`the node proposed a malformed operation: ${refusal}`);
        try {
          outcome = { ok: true, result: this.table.apply(event.op) };
          this.table.invariants();
        } catch (error) {
          outcome = { ok: false, reason: (error as Error).message, retryable: false };
        }
        if (outcome.ok && outcome.result.kind === 'accepted' && event.op.kind === 'task-accept') {
          for (const task of outcome.result.accepted) {
            const key = `${event.op.jobId}/${task}`;
            this.acceptedCount.set(key, (this.acceptedCount.get(key) ?? 0) + 1);
          }
        }
        const lost = this.options.prng.nextFloat() < this.options.ledgerReplyLoss;
        const reply = lost
          ? { ok: false as const, reason: 'no answer in time', retryable: true }
          : outcome;
        this.queue.push({
          atMs: this.nowMs + this.latency() + (lost ? LEDGER_TIMEOUT_MS : 0),
          seq: 0,
          kind: 'ledger-reply',
          agent: event.agent,
          opId: event.opId,
          outcome: reply,
        });
        return;
      }
      case 'ledger-reply':
        return this.feed(event.agent, (node) =>
          node.onLedger(event.opId, event.outcome, this.nowMs),
        );
      case 'run-done': {
        const agent = this.agents.get(event.agent) as SimAgent;
        if (agent.crashed || agent.incarnation !== event.incarnation) return;
        if (agent.cancelled.delete(event.runId)) return;
        const outcome = event.fail
          ? {
              ok: false as const,
              code: 'failed' as const,
              message: 'the simulated run failed',
              ms: event.ms,
            }
          : {
              ok: true as const,
              result: JSON.stringify({ value: expectedValue(event.input), by: agent.id }),
              ms: event.ms,
            };
        return this.feed(event.agent, (node) => node.onRunDone(event.runId, outcome, this.nowMs));
      }
      case 'wake': {
        const agent = this.agents.get(event.agent) as SimAgent;
        if (
          agent.crashed ||
          agent.incarnation !== event.incarnation ||
          agent.wakeAtMs !== event.atMs
        )
          return;
        agent.wakeAtMs = null;
        return this.feed(event.agent, (node) => node.tick(this.nowMs));
      }
    }
  }

  private refreshMembership(): void {
    for (const a of this.agents.values()) {
      if (a.crashed) continue;
      const live = [...this.agents.values()].filter((b) => this.reachable(a, b)).map((b) => b.id);
      this.feed(a.id, (node) => node.setMembers(live, this.nowMs));
    }
  }

  /**
   * The check a seeded run hands to `runUntil`: after every event, the first broken rule goes
   * into `failures`, then `more` adds the run's own checks; once something failed, it stops.
   */
  invariantCheck(failures: string[], more: () => void = () => undefined): () => void {
    return () => {
      if (failures.length > 0) return;
      const broken = this.brokenInvariant();
      if (broken !== null) failures.push(broken);
      more();
    };
  }

  /** The first rule the table or a live node breaks now, said with the time; null if none. */
  private brokenInvariant(): string | null {
    try {
      this.table.invariants();
      for (const agent of this.agents.values()) if (!agent.crashed) agent.node.invariants();
      return null;
    } catch (error) {
      return `invariant at ${this.nowMs.toFixed(0)} ms: ${(error as Error).message}`;
    }
  }

  /** Fetches a kept result from `agent` (the answer is a `result-fetched` event there). */
  fetchResult(agent: AgentId, fetchId: number, jobId: string, task: number): void {
    this.feed(agent, (node) => node.fetchResult(fetchId, jobId, task, this.nowMs));
  }

  private feed(id: AgentId, input: (node: TaskNode) => TaskNodeEffect[]): void {
    const agent = this.agents.get(id) as SimAgent;
    if (agent.crashed) return;
    for (const effect of input(agent.node)) this.execute(agent, effect);
    const wake = agent.node.nextWakeMs();
    if (wake !== null && (agent.wakeAtMs === null || wake < agent.wakeAtMs)) {
      const atMs = Math.max(wake, this.nowMs);
      agent.wakeAtMs = atMs;
      this.queue.push({ atMs, seq: 0, kind: 'wake', agent: id, incarnation: agent.incarnation });
    }
  }

  private execute(agent: SimAgent, effect: TaskNodeEffect): void {
    switch (effect.kind) {
      case 'send': {
        const frame = encodeTaskFrame(effect.msg);
        if (frame === null) throw new Error(`a ${effect.msg.type} over the message limit`);
        this.queue.push({
          atMs: this.nowMs + this.latency(),
          seq: 0,
          kind: 'deliver',
          from: agent.id,
          to: effect.to,
          frame,
        });
        return;
      }
      case 'ledger':
        this.queue.push({
          atMs: this.nowMs + this.latency(),
          seq: 0,
          kind: 'ledger',
          agent: agent.id,
          opId: effect.opId,
          op: effect.op,
        });
        return;
      case 'run': {
        const { ms } = JSON.parse(effect.input) as { ms: number };
        const took = ms * agent.slowness;
        const fail = this.options.prng.nextFloat() < this.options.runFailure;
        this.queue.push({
          atMs: this.nowMs + took,
          seq: 0,
          kind: 'run-done',
          agent: agent.id,
          incarnation: agent.incarnation,
          runId: effect.runId,
          input: effect.input,
          ms: took,
          fail,
        });
        return;
      }
      case 'cancel':
        agent.cancelled.add(effect.runId);
        return;
      case 'event':
        agent.events.push(effect.event);
        return;
    }
  }

  private latency(): number {
    const [min, max] = this.options.latencyMs;
    return min + this.options.prng.nextFloat() * (max - min);
  }

  private newNode(id: AgentId, index: number): TaskNode {
    return new TaskNode(id, { ...this.nodeConfig, workers: this.options.workers(index) });
  }
}
