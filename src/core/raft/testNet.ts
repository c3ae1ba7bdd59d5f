import type { AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import type { Millis } from '../base/time';
import type { RaftEntry, RaftMessage } from '../wire/raftMessages';
import { DEFAULT_RAFT_CONFIG, type RaftOverrides } from './config';
import { applyRaftPersist, loadRaftDurable } from './durability';
import { RaftNode } from './node';
import type { ProposalResult, RaftEffect, RaftEvent, RaftInput, ReadResult } from './types';

/** Test support for the Raft transcript tests; nothing outside `*.test.ts` imports it. */

/** An input without its time: the net adds its own clock. */
export type UntimedInput = RaftInput extends infer I
  ? I extends RaftInput
    ? Omit<I, 'nowMs'>
    : never
  : never;

export interface Envelope {
  from: AgentId;
  to: AgentId;
  msg: RaftMessage;
}

/** One node with its storage and what its host saw: applied entries, results, events. */
export class TestMember {
  node: RaftNode;
  readonly storage = new Map<string, string>();
  applied: RaftEntry[] = [];
  state = '';
  proposals = new Map<number, ProposalResult>();
  reads = new Map<number, ReadResult>();
  events: RaftEvent[] = [];

  constructor(
    readonly id: AgentId,
    private readonly voters: readonly AgentId[],
    private readonly config: RaftOverrides,
    nowMs: Millis,
    seed: number,
  ) {
    this.node = new RaftNode({
      selfId: id,
      initialVoters: voters,
      prng: createSeededPrng(seed),
      nowMs,
      config,
    });
  }

  /** A restart from what it stored (or from nothing): a new node over the same records. */
  restart(nowMs: Millis, seed: number, keepStorage: boolean): void {
    if (!keepStorage) this.storage.clear();
    const restored = loadRaftDurable(this.storage);
    this.applied = [];
    this.state = '';
    this.node = new RaftNode({
      selfId: this.id,
      initialVoters: this.voters,
      prng: createSeededPrng(seed),
      nowMs,
      config: this.config,
      ...(restored ? { restored } : {}),
    });
    if (restored?.snapshot) this.state = restored.snapshot.data;
  }
}

/**
 * A hand-driven network: every sent message waits in `queue` until the test delivers or drops
 * it, so a test can script each exchange and read the exact messages.
 */
export class TestNet {
  nowMs = 0;
  readonly members = new Map<AgentId, TestMember>();
  queue: Envelope[] = [];

  private readonly config: RaftOverrides;

  /**
   * The transcripts step time in jumps, so the timeouts that follow a node's own delays are off
   * unless a test asks for them (`stretch.test.ts` does).
   */
  constructor(
    readonly ids: readonly AgentId[],
    config: RaftOverrides = {},
  ) {
    const min = config.electionTimeoutMinMs ?? DEFAULT_RAFT_CONFIG.electionTimeoutMinMs;
    this.config = { stallGraceMs: 0, electionTimeoutCapMs: min, ...config };
    ids.forEach((id, i) => this.members.set(id, new TestMember(id, ids, this.config, 0, i + 1)));
  }

  member(id: AgentId): TestMember {
    const m = this.members.get(id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  node(id: AgentId): RaftNode {
    return this.member(id).node;
  }

  /** Adds a node outside the initial voters (a joiner); it knows the initial voters only. */
  addMember(id: AgentId): TestMember {
    const m = new TestMember(id, this.ids, this.config, this.nowMs, this.members.size + 1);
    this.members.set(id, m);
    return m;
  }

  step(id: AgentId, input: UntimedInput): RaftEffect[] {
    const member = this.member(id);
    const effects = member.node.step({ ...input, nowMs: this.nowMs } as RaftInput);
    this.run(member, effects);
    member.node.invariants();
    return effects;
  }

  run(member: TestMember, effects: RaftEffect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'send':
          this.queue.push({ from: member.id, to: effect.to, msg: effect.msg });
          break;
        case 'persist':
          applyRaftPersist(member.storage, effect);
          break;
        case 'apply':
          for (const entry of effect.entries) {
            member.applied.push(entry);
            if (entry.kind === 'data') member.state += entry.data;
          }
          break;
        case 'restore':
          member.state = effect.snapshot.data;
          break;
        case 'snapshotWanted':
          this.queueSnapshot.push({ id: member.id, index: effect.index });
          break;
        case 'proposal':
          member.proposals.set(effect.id, effect.result);
          break;
        case 'read':
          member.reads.set(effect.id, effect.result);
          break;
        case 'event':
          member.events.push(effect.event);
          break;
      }
    }
  }

  /** Snapshots asked for and not yet handed back. */
  queueSnapshot: { id: AgentId; index: number }[] = [];

  /** Restarts a node from its records (or from nothing) and replays its stored commits. */
  restart(id: AgentId, keepStorage: boolean): void {
    const member = this.member(id);
    member.restart(this.nowMs, this.members.size + 100, keepStorage);
    this.run(member, member.node.replayRestored());
  }

  /** Moves time on and ticks every node. */
  advance(ms: Millis, ids: readonly AgentId[] = [...this.members.keys()]): void {
    this.nowMs += ms;
    for (const id of ids) this.step(id, { kind: 'tick' });
  }

  /** Takes the queued messages matching `filter` (all by default), leaving the rest. */
  take(filter: (e: Envelope) => boolean = () => true): Envelope[] {
    const taken = this.queue.filter(filter);
    this.queue = this.queue.filter((e) => !filter(e));
    return taken;
  }

  deliver(envelopes: Envelope[]): void {
    for (const e of envelopes) this.step(e.to, { kind: 'message', from: e.from, msg: e.msg });
  }

  /** Delivers until the queue is empty, dropping what `drop` says; at most `maxRounds` passes. */
  settle(drop: (e: Envelope) => boolean = () => false, maxRounds = 100): void {
    for (let i = 0; i < maxRounds && this.queue.length > 0; i++) {
      const batch = this.take();
      this.deliver(batch.filter((e) => !drop(e)));
    }
  }

  /** Ticks until `id` leads (past its election timeout), delivering everything. */
  elect(id: AgentId): void {
    this.nowMs += 2 * (this.config.electionTimeoutMinMs ?? 250);
    this.step(id, { kind: 'tick' });
    this.settle();
  }
}

/** A vote request, as a test writes it. */
export function voteRequest(
  term: number,
  lastIndex: number,
  lastTerm: number,
  flags: { preVote?: boolean; transfer?: boolean } = {},
): RaftMessage {
  return {
    type: 'raft-vote',
    term,
    lastIndex,
    lastTerm,
    preVote: flags.preVote ?? false,
    transfer: flags.transfer ?? false,
  };
}

/** A successful append response at `matchIndex`, or a refusal with a hint. */
export function appendResponse(
  term: number,
  matchIndex: number,
  round = 0,
  refusal: { rejectedIndex: number; hintIndex: number; hintTerm: number } | null = null,
): RaftMessage {
  return {
    type: 'raft-append-response',
    term,
    success: refusal === null,
    matchIndex: refusal === null ? matchIndex : 0,
    rejectedIndex: refusal?.rejectedIndex ?? 0,
    hintIndex: refusal?.hintIndex ?? 0,
    hintTerm: refusal?.hintTerm ?? 0,
    round,
  };
}
