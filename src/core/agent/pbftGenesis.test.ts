import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { testDigest } from '../pbft/testDigest';
import { PbftGenesis, type GenesisOutcome, type GenesisRecord } from './pbftGenesis';

const text = new TextEncoder();
const digestOf = (value: string) => testDigest(text.encode(value));
const ids = ['a1', 'b2', 'c3', 'd4', 'e5'] as AgentId[];

function genesis(selfId: string, stored: GenesisRecord | null = null): PbftGenesis {
  return new PbftGenesis(
    { selfId: selfId as AgentId, minReplicas: 4, maxReplicas: 16, settleMs: 1000, digestOf },
    stored,
  );
}

/** Agents that see each other's facts at once; `views` gives each agent's agreed membership. */
class Room {
  readonly facts = new Map<string, string>();
  readonly outcomes = new Map<string, GenesisOutcome>();
  readonly stored = new Map<string, GenesisRecord>();
  nowMs = 0;

  readonly knownSets = new Map<string, AgentId[]>();

  constructor(
    readonly agents: Map<string, PbftGenesis>,
    readonly views: Map<string, readonly string[]>,
  ) {}

  round(only?: readonly string[]): void {
    this.nowMs += 500;
    for (const [id, agent] of this.agents) {
      if (only !== undefined && !only.includes(id)) continue;
      const step = agent.step({
        knownSets: this.knownSets,
        nowMs: this.nowMs,
        agreed: (this.views.get(id) ?? []) as AgentId[],
        members: [...this.agents.keys()].map((m) => ({
          id: m as AgentId,
          status: 'alive' as const,
          fact: this.facts.get(m) ?? null,
        })),
      });
      if (step.store !== null) this.stored.set(id, step.store);
      if (step.store?.phase === 'decided') {
        this.knownSets.set(agent.nameOf(step.store.replicas), step.store.replicas);
      }
      if (step.publish !== null) this.facts.set(id, step.publish);
      this.outcomes.set(id, step.outcome);
    }
  }

  rounds(count: number): void {
    for (let i = 0; i < count; i++) this.round();
  }
}

function roomOf(members: string[], view: string[] = members): Room {
  return new Room(
    new Map(members.map((id) => [id, genesis(id)])),
    new Map(members.map((id) => [id, view])),
  );
}

describe('PbftGenesis', () => {
  it('four agents with one agreed membership decide it, each as a replica', () => {
    const room = roomOf(ids.slice(0, 4));
    room.rounds(10);
    for (const id of ids.slice(0, 4)) {
      expect(room.outcomes.get(id)).toEqual({
        kind: 'decided',
        replicas: ids.slice(0, 4),
        role: 'replica',
      });
      expect(room.stored.get(id)).toEqual({ phase: 'decided', replicas: ids.slice(0, 4) });
    }
  });

  it('waits below the minimum and says so', () => {
    const room = roomOf(ids.slice(0, 3));
    room.rounds(10);
    expect(room.outcomes.get('a1')).toEqual({
      kind: 'forming',
      detail: 'waiting for 4 agreed members (3 now)',
    });
    expect(room.facts.size).toBe(0);
  });

  it('locks only after the candidate stayed the same for the settle time', () => {
    const room = roomOf(ids.slice(0, 4));
    room.round();
    // 500 ms in: everyone proposes, nobody locks yet.
    expect([...room.facts.values()].every((fact) => fact.startsWith('p:4:'))).toBe(true);
    room.round();
    room.round();
    expect([...room.facts.values()].some((fact) => fact.startsWith('l:4:'))).toBe(true);
  });

  it('an agent that came after the decision adopts the set as a client', () => {
    const room = roomOf(ids.slice(0, 4));
    room.rounds(10);
    room.agents.set('e5', genesis('e5'));
    room.views.set('e5', ids);
    room.rounds(2);
    expect(room.outcomes.get('e5')).toEqual({
      kind: 'decided',
      replicas: ids.slice(0, 4),
      role: 'client',
    });
    // A client announces nothing: only replicas vouch for the set.
    expect(room.facts.has('e5')).toBe(false);
  });

  it('a member that sees a larger membership never gets the others to lock on it', () => {
    // e5 sees five members while the other four agreed on four: the four decide their set and
    // e5 ends up adopting it; no agent decides the five.
    const room = new Room(
      new Map(ids.map((id) => [id, genesis(id)])),
      new Map(ids.map((id) => [id, id === 'e5' ? ids : ids.slice(0, 4)])),
    );
    room.rounds(12);
    for (const id of ids) {
      const outcome = room.outcomes.get(id);
      expect(outcome?.kind).toBe('decided');
      if (outcome?.kind === 'decided') expect(outcome.replicas).toEqual(ids.slice(0, 4));
    }
    expect(room.outcomes.get('e5')).toMatchObject({ role: 'client' });
  });

  it('a decision does not need everyone alive later: a stored decision restores at once', () => {
    const restored = genesis('b2', { phase: 'decided', replicas: ids.slice(0, 4) });
    expect(restored.outcome).toEqual({
      kind: 'decided',
      replicas: ids.slice(0, 4),
      role: 'replica',
    });
  });

  it('a stored lock is kept: the agent proposes nothing else after a reload', () => {
    const locked = genesis('a1', { phase: 'locked', replicas: ids.slice(0, 4) });
    const step = locked.step({
      nowMs: 0,
      agreed: ids,
      members: ids.map((id) => ({ id, status: 'alive' as const, fact: null })),
    });
    expect(step.publish).toMatch(/^l:4:/);
    expect(step.outcome).toEqual({
      kind: 'forming',
      detail: 'locked on 4 replicas; 3 still to lock',
    });
  });

  it('an agent whose members moved on after another locked joins that lock: genesis completes', () => {
    const four = ids.slice(0, 4);
    const room = roomOf(four);
    room.rounds(2);
    // a1 locks first; then e5 arrives and the other three see five members before they lock.
    room.round(['a1']);
    expect(room.facts.get('a1')).toMatch(/^l:4:/);
    room.agents.set('e5', genesis('e5'));
    for (const id of ids) room.views.set(id, id === 'a1' ? four : ids);
    room.rounds(6);
    for (const id of four) expect(room.outcomes.get(id)).toMatchObject({ replicas: four });
    expect(room.outcomes.get('e5')).toMatchObject({ kind: 'decided', role: 'client' });
  });

  it('a replica that flips after others decided does not leave a locked honest one behind', () => {
    const four = ids.slice(0, 4);
    const room = roomOf(four);
    room.rounds(2);
    room.round(['a1', 'b2', 'c3', 'd4']);
    room.round(['a1', 'b2']);
    expect(room.outcomes.get('a1')?.kind).toBe('decided');
    // d4 lies from now on: it publishes a proposal for another set instead of its lock.
    room.agents.delete('d4');
    room.facts.set('d4', 'p:5:' + '0'.repeat(32));
    room.rounds(3);
    expect(room.outcomes.get('c3')).toMatchObject({ kind: 'decided', replicas: four });
  });

  it('never adopts a set smaller than the minimum, however it is announced', () => {
    const lone = genesis('e5');
    const z = 'z9' as AgentId;
    const step = lone.step({
      nowMs: 0,
      agreed: ids,
      members: [
        ...ids.map((id) => ({ id, status: 'alive' as const, fact: null })),
        { id: z, status: 'alive' as const, fact: `s:1:${lone.nameOf([z])}` },
      ],
    });
    expect(step.outcome.kind).toBe('forming');
  });

  it('adopts from a listed set when a stranger names the digest or a member was forgotten', () => {
    const four = ids.slice(0, 4);
    const room = roomOf(four);
    room.rounds(10);
    const name = room.agents.get('a1')!.nameOf(four);
    const late = genesis('e5');
    const step = late.step({
      nowMs: 0,
      agreed: ['a1', 'b2', 'e5'] as AgentId[],
      // d4 is forgotten; x0 is a stranger that names the set as locked.
      members: [
        ...['a1', 'b2', 'c3'].map((id) => ({
          id: id as AgentId,
          status: 'alive' as const,
          fact: room.facts.get(id) ?? null,
        })),
        { id: 'x0' as AgentId, status: 'alive' as const, fact: `l:4:${name}` },
        { id: 'e5' as AgentId, status: 'alive' as const, fact: null },
      ],
      knownSets: new Map([[name, four]]),
    });
    expect(step.outcome).toEqual({ kind: 'decided', replicas: four, role: 'client' });
  });

  it('an agent outside the smallest ids proposes nothing and waits to adopt', () => {
    const config = { minReplicas: 2, maxReplicas: 2, settleMs: 0, digestOf };
    const outsider = new PbftGenesis({ ...config, selfId: 'e5' as AgentId });
    const step = outsider.step({
      nowMs: 0,
      agreed: ids,
      members: ids.map((id) => ({ id, status: 'alive' as const, fact: null })),
    });
    expect(step.publish).toBeNull();
    expect(step.outcome).toEqual({
      kind: 'forming',
      detail: 'waiting for the replica set of the smallest ids to form',
    });
  });

  it('ignores facts that do not parse and an adoption whose members do not rebuild the digest', () => {
    const lone = genesis('e5');
    const step = lone.step({
      nowMs: 0,
      agreed: ['e5' as AgentId],
      members: [
        { id: 'a1' as AgentId, status: 'alive', fact: 's:4:' + 'f'.repeat(32) },
        { id: 'b2' as AgentId, status: 'alive', fact: 's:4:' + 'f'.repeat(32) },
        { id: 'c3' as AgentId, status: 'alive', fact: 'garbage' },
        { id: 'e5' as AgentId, status: 'alive', fact: null },
      ],
    });
    expect(step.outcome.kind).toBe('forming');
  });
});
