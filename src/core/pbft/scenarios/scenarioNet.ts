import type { AgentId } from '../../base/ids';
import type { PbftMessage } from '../../wire/pbftMessages';
import type { PbftOverrides } from '../config';
import { applyRecordChanges } from '../../base/records';
import { PbftReplica } from '../replica';
import { ListApp } from '../testNet';
import { testDigest } from '../testDigest';
import type { PbftEvent } from '../types';

/** Test support for fault scenarios: replicas only (a test plays the clients, injecting requests
 * from any id); anything sent to a non-replica lands in `outbox`. */
export interface Node {
  id: AgentId;
  replica: PbftReplica;
  app: ListApp;
  storage: Map<string, string>;
  events: PbftEvent[];
}

export interface Msg {
  from: AgentId;
  to: AgentId;
  msg: PbftMessage;
}

export class ScenarioNet {
  readonly nodes = new Map<AgentId, Node>();
  readonly outbox: Msg[] = [];
  readonly queue: Msg[] = [];
  nowMs = 0;
  filter: (m: Msg) => boolean = () => true;

  constructor(
    readonly ids: AgentId[],
    readonly config: PbftOverrides = {},
  ) {
    for (const id of ids) {
      const app = new ListApp();
      this.nodes.set(id, {
        id,
        app,
        replica: new PbftReplica({ selfId: id, replicas: ids, app, digestOf: testDigest, config }),
        storage: new Map(),
        events: [],
      });
    }
  }

  node(id: AgentId): Node {
    return this.nodes.get(id) as Node;
  }

  restartFromStorage(id: AgentId): Node {
    const old = this.node(id);
    const app = new ListApp();
    const replica = new PbftReplica({
      selfId: id,
      replicas: this.ids,
      app,
      digestOf: testDigest,
      config: this.config,
      stored: new Map(old.storage),
      nowMs: this.nowMs,
    });
    const fresh: Node = { id, app, replica, storage: new Map(old.storage), events: [] };
    this.nodes.set(id, fresh);
    return fresh;
  }

  /** Puts a message on the queue as if `from` sent it (signatures are the host's job). */
  inject(from: AgentId, to: AgentId, msg: PbftMessage): void {
    this.queue.push({ from, to, msg });
  }

  request(client: AgentId, reqNo: number, action: string, to: AgentId[] = this.ids): void {
    for (const id of to)
      this.inject(client, id, { type: 'pbft-request', client, reqNo, action, sig: '' });
  }

  step(node: Node, input: Parameters<PbftReplica['step']>[0]): void {
    const effects = node.replica.step(input);
    node.replica.invariants();
    for (const e of effects) {
      if (e.kind === 'event') node.events.push(e.event);
      else if (e.kind === 'persist') applyRecordChanges(node.storage, e);
      else for (const to of e.to) this.queue.push({ from: node.id, to, msg: e.msg });
    }
  }

  run(limit = 200_000): void {
    for (let i = 0; i < limit; i++) {
      const next = this.queue.shift();
      if (next === undefined) return;
      if (!this.filter(next)) continue;
      const node = this.nodes.get(next.to);
      if (node === undefined) {
        this.outbox.push(next);
        continue;
      }
      this.step(node, { kind: 'message', from: next.from, msg: next.msg, nowMs: this.nowMs });
    }
    throw new Error('did not go quiet');
  }

  advance(toMs: number): void {
    this.nowMs = toMs;
    for (const node of this.nodes.values()) this.step(node, { kind: 'tick', nowMs: toMs });
    this.run();
  }

  advanceBy(totalMs: number, stepMs = 10): void {
    const until = this.nowMs + totalMs;
    while (this.nowMs < until) this.advance(Math.min(until, this.nowMs + stepMs));
  }

  executed(id: AgentId): { seq: number; digest: string }[] {
    return this.node(id)
      .events.filter((e) => e.type === 'pbft-executed')
      .map((e) =>
        e.type === 'pbft-executed' ? { seq: e.seq, digest: e.digest } : { seq: 0, digest: '' },
      );
  }
}
