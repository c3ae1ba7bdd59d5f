import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import { fixedId } from '../base/testSupport';
import type { PbftMessage } from '../wire/pbftMessages';
import { ByzantineRewriter } from './byzantine';
import { PbftClient, type PbftClientEvent } from './client';
import type { PbftOverrides } from './config';
import { applyRecordChanges } from '../base/records';
import { PbftReplica } from './replica';
import type { DigestFn, PbftEvent, ReplicatedApp } from './types';

/** Test support for the pBFT transcript tests; nothing outside `*.test.ts` imports it. */

/** An app that appends each action to a list: its state is the whole order. */
export class ListApp implements ReplicatedApp {
  items: string[] = [];

  apply(action: string): string {
    this.items.push(action);
    return JSON.stringify({ ok: true, value: this.items.length });
  }

  snapshot(): string {
    return JSON.stringify(this.items);
  }

  restore(snapshot: string): void {
    this.items = JSON.parse(snapshot) as string[];
  }
}

/**
 * A ListApp whose state also names a replica set: `{"kind":"replicas","ids":[...]}` sets it
 * (a reconfiguration), anything else is appended.
 */
export class ConfigurableListApp extends ListApp {
  replicas: AgentId[] | null = null;

  override apply(action: string): string {
    const parsed = JSON.parse(action) as { kind?: string; ids?: AgentId[] };
    if (parsed.kind !== 'replicas' || !Array.isArray(parsed.ids)) return super.apply(action);
    this.replicas = parsed.ids;
    return JSON.stringify({ ok: true, value: 'set' });
  }

  override snapshot(): string {
    return JSON.stringify({ items: this.items, replicas: this.replicas });
  }

  override restore(snapshot: string): void {
    const parsed = JSON.parse(snapshot) as { items: string[]; replicas: AgentId[] | null };
    this.items = parsed.items;
    this.replicas = parsed.replicas;
  }

  replicaSet(): readonly AgentId[] | null {
    return this.replicas;
  }
}

export const R1 = fixedId('1');
export const R2 = fixedId('2');
export const R3 = fixedId('3');
export const R4 = fixedId('4');
export const R5 = fixedId('5');
export const OUTSIDER = fixedId('9');
/** Four replicas: n = 4, f = 1, quorum 3; R1 is the primary of view 0. */
export const FOUR = [R1, R2, R3, R4];

export interface Sent {
  from: AgentId;
  to: AgentId;
  msg: PbftMessage;
}

/** One agent of the test net: a replica and a client under one id. */
export interface TestAgent {
  id: AgentId;
  replica: PbftReplica;
  client: PbftClient;
  app: ListApp;
  rewriter: ByzantineRewriter;
  events: PbftEvent[];
  clientEvents: PbftClientEvent[];
  /** What the replica persisted, as a key-value store. */
  storage: Map<string, string>;
}

/**
 * A synchronous network for transcript tests: messages queue in order and are delivered one by
 * one, each recorded; a filter can drop any of them. Time moves only when the test says so.
 * Signatures are the host's job, so the replicas here see unsigned statements.
 */
export class TestNet {
  readonly agents = new Map<AgentId, TestAgent>();
  readonly transcript: Sent[] = [];
  nowMs: Millis = 0;
  /** Return false to drop a message. */
  filter: (sent: Sent) => boolean = () => true;
  private readonly queue: Sent[] = [];

  constructor(
    readonly ids: AgentId[],
    digestOf: DigestFn,
    prngFor: (index: number) => {
      nextU32(): number;
      nextFloat(): number;
      nextInt(b: number): number;
    },
    config: PbftOverrides = {},
    private readonly makeApp: () => ListApp = () => new ListApp(),
  ) {
    ids.forEach((id, index) =>
      this.agents.set(id, this.makeAgent(id, index, digestOf, prngFor(index), config)),
    );
  }

  agent(id: AgentId): TestAgent {
    return this.agents.get(id) as TestAgent;
  }

  /** Replaces an agent by a fresh one under the same id (a restart that lost its storage). */
  restartEmpty(id: AgentId, digestOf: DigestFn, config: PbftOverrides = {}): TestAgent {
    const index = this.ids.indexOf(id);
    const old = this.agent(id);
    const fresh = this.makeAgent(
      id,
      index,
      digestOf,
      { nextU32: () => 0, nextFloat: () => 0, nextInt: () => 0 },
      config,
      old.client.nextRequestNumber + 1000,
    );
    this.agents.set(id, fresh);
    return fresh;
  }

  /** Replaces an agent's replica by one restarted from what it persisted (a crash and reload). */
  restartFromStorage(id: AgentId, digestOf: DigestFn, config: PbftOverrides = {}): TestAgent {
    const old = this.agent(id);
    const app = this.makeApp();
    const replica = new PbftReplica({
      selfId: id,
      replicas: this.ids,
      app,
      digestOf,
      config,
      stored: old.storage,
      nowMs: this.nowMs,
    });
    const fresh: TestAgent = { ...old, app, replica, events: [], storage: new Map(old.storage) };
    this.agents.set(id, fresh);
    return fresh;
  }

  /**
   * Adds an agent a committed change made a replica of `epoch`: it joins by state transfer
   * (its client already knows the new set).
   */
  addJoiner(
    id: AgentId,
    join: { epoch: number; replicas: AgentId[] },
    digestOf: DigestFn,
    config: PbftOverrides = {},
  ): TestAgent {
    const app = this.makeApp();
    const agent: TestAgent = {
      id,
      app,
      replica: new PbftReplica({ selfId: id, replicas: this.ids, app, digestOf, config, join }),
      client: new PbftClient({ selfId: id, replicas: join.replicas, firstReqNo: 90_000 }),
      rewriter: new ByzantineRewriter(
        { nextU32: () => 0, nextFloat: () => 0, nextInt: () => 0 },
        digestOf,
      ),
      events: [],
      clientEvents: [],
      storage: new Map(),
    };
    this.agents.set(id, agent);
    return agent;
  }

  /** Points every agent's client at `replicas` (what the agents learn from the change). */
  reconfigureClients(replicas: AgentId[]): void {
    for (const agent of this.agents.values())
      this.clientEffects(agent, agent.client.reconfigure(replicas));
  }

  propose(id: AgentId, action: string): number {
    const agent = this.agent(id);
    const { reqNo, effects } = agent.client.propose(action, this.nowMs);
    this.clientEffects(agent, effects);
    return reqNo;
  }

  /** Proposes `count` actions one after another, each delivered to the end before the next. */
  commitInOrder(count: number, from: AgentId): void {
    for (let i = 0; i < count; i++) {
      this.propose(from, `{"kind":"n","i":${i}}`);
      this.run();
    }
  }

  /** Delivers queued messages until none is left (or `limit` were delivered). */
  run(limit = 100_000): void {
    for (let delivered = 0; delivered < limit; delivered++) {
      const next = this.queue.shift();
      if (next === undefined) return;
      if (!this.filter(next)) continue;
      this.transcript.push(next);
      const agent = this.agent(next.to);
      if (next.msg.type === 'pbft-reply') {
        this.clientEffects(agent, agent.client.onReply(next.from, next.msg));
      } else {
        this.replicaStep(agent, {
          kind: 'message',
          from: next.from,
          msg: next.msg,
          nowMs: this.nowMs,
        });
      }
    }
    throw new Error('the test net did not go quiet');
  }

  /** Moves time to `nowMs`, ticks every agent, and delivers what follows. */
  advance(nowMs: Millis): void {
    this.nowMs = nowMs;
    for (const agent of this.agents.values()) {
      this.replicaStep(agent, { kind: 'tick', nowMs });
      this.clientEffects(agent, agent.client.tick(nowMs));
    }
    this.run();
  }

  /** Advances in steps of `stepMs` until `untilMs`. */
  advanceBy(totalMs: Millis, stepMs = 10): void {
    const until = this.nowMs + totalMs;
    while (this.nowMs < until) this.advance(Math.min(until, this.nowMs + stepMs));
  }

  /** The transcript's messages of one type, as from -> to pairs. */
  sentOf(type: PbftMessage['type']): Sent[] {
    return this.transcript.filter((s) => s.msg.type === type);
  }

  private makeAgent(
    id: AgentId,
    index: number,
    digestOf: DigestFn,
    prng: { nextU32(): number; nextFloat(): number; nextInt(b: number): number },
    config: PbftOverrides,
    firstReqNo = 1 + index * 1000,
  ): TestAgent {
    const app = this.makeApp();
    return {
      id,
      app,
      replica: new PbftReplica({ selfId: id, replicas: this.ids, app, digestOf, config }),
      client: new PbftClient({ selfId: id, replicas: this.ids, firstReqNo }),
      rewriter: new ByzantineRewriter(prng, digestOf),
      events: [],
      clientEvents: [],
      storage: new Map(),
    };
  }

  private replicaStep(agent: TestAgent, input: Parameters<PbftReplica['step']>[0]): void {
    const effects = agent.rewriter.rewrite(agent.replica.step(input));
    agent.replica.invariants();
    for (const effect of effects) {
      if (effect.kind === 'event') agent.events.push(effect.event);
      else if (effect.kind === 'persist') applyRecordChanges(agent.storage, effect);
      else for (const to of effect.to) this.queue.push({ from: agent.id, to, msg: effect.msg });
    }
  }

  private clientEffects(agent: TestAgent, effects: ReturnType<PbftClient['tick']>): void {
    for (const effect of effects) {
      if (effect.kind === 'event') agent.clientEvents.push(effect.event);
      else for (const to of effect.to) this.queue.push({ from: agent.id, to, msg: effect.msg });
    }
  }
}
