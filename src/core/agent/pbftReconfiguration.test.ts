import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { fixedId } from '../base/testSupport';
import type { MemberStatus } from '../wire/swimMessages';
import {
  announcedConfiguration,
  configFact,
  parseConfigFact,
  ReplicaChangePlanner,
} from './pbftReconfiguration';

const [A, B, C, D, E] = ['1', '2', '3', '4', '5'].map(fixedId) as AgentId[] as [
  AgentId,
  AgentId,
  AgentId,
  AgentId,
  AgentId,
];
const planner = () =>
  new ReplicaChangePlanner({ selfId: A, maxReplicas: 5, removeAfterMs: 10_000, addAfterMs: 3000 });
const members = (statuses: Record<string, MemberStatus>) =>
  Object.entries(statuses).map(([id, status]) => ({ id: id as AgentId, status }));

describe('which replica-set change a replica votes for', () => {
  it('removes a replica only once it has been gone for the whole wait', () => {
    const p = planner();
    const replicas = [A, B, C, D];
    const input = (nowMs: number, d: MemberStatus) => ({
      nowMs,
      replicas,
      members: members({ [A]: 'alive', [B]: 'alive', [C]: 'alive', [D]: d }),
      agreed: replicas,
    });
    expect(p.next(input(0, 'dead'))).toBeNull();
    expect(p.next(input(9_999, 'dead'))).toBeNull();
    // A reload: back before the wait ran out; the wait starts again when it goes again.
    expect(p.next(input(10_500, 'alive'))).toBeNull();
    expect(p.next(input(11_000, 'left'))).toBeNull();
    expect(p.next(input(21_000, 'left'))).toEqual({ op: 'remove', id: D });
  });

  it('adds a member alive for a while, smallest id first, while the set has room', () => {
    const p = planner();
    const all = members({ [A]: 'alive', [B]: 'alive', [C]: 'alive', [D]: 'alive', [E]: 'alive' });
    const input = (nowMs: number, replicas: AgentId[]) => ({
      nowMs,
      replicas,
      members: all,
      agreed: [A, B, C, D, E],
    });
    expect(p.next(input(0, [A, B, C]))).toBeNull();
    expect(p.next(input(3000, [A, B, C]))).toEqual({ op: 'add', id: D });
    expect(p.next(input(3500, [A, B, C, D]))).toEqual({ op: 'add', id: E });
    expect(p.next(input(4000, [A, B, C, D, E]))).toBeNull();
    // A suspect is not live: it is not added, and its wait starts again.
    const suspect = { ...input(5000, [A, B, C]), members: members({ [D]: 'suspect' }) };
    expect(p.next(suspect)).toBeNull();
  });

  it('removals come before additions', () => {
    const p = planner();
    const input = (nowMs: number) => ({
      nowMs,
      replicas: [A, B, C, D],
      members: members({ [A]: 'alive', [B]: 'alive', [C]: 'alive', [D]: 'dead', [E]: 'alive' }),
      agreed: [A, B, C, D, E],
    });
    p.next(input(0));
    expect(p.next(input(5000))).toEqual({ op: 'add', id: E });
    expect(p.next(input(10_000))).toEqual({ op: 'remove', id: D });
  });
});

describe('which announced configuration an agent outside the set follows', () => {
  const nameOf = (ids: readonly AgentId[]) =>
    ids
      .map((id) => id[0])
      .join('')
      .padEnd(32, 'a');
  const next = [A, B, C, E];
  const lists = () => new Map([[nameOf(next), next]]);
  const known = { epoch: 0, replicas: [A, B, C, D] };

  it('takes a newer one f + 1 replicas of its own set announce, with a list that matches', () => {
    const facts = new Map([
      [A, configFact(1, nameOf(next))],
      [B, null],
    ]);
    expect(announcedConfiguration(known, facts, lists, nameOf)).toBeNull();
    facts.set(B, configFact(1, nameOf(next)));
    expect(announcedConfiguration(known, facts, lists, nameOf)).toEqual({
      epoch: 1,
      replicas: next,
    });
    // Announcements from outside its set, older epochs or lists under another name do not count.
    const outsiders = new Map([
      [E, configFact(1, nameOf(next))],
      [D, configFact(1, nameOf(next))],
    ]);
    expect(announcedConfiguration(known, outsiders, lists, nameOf)).toBeNull();
    const forged = () => new Map([[nameOf(next), [A, B, C, D, E]]]);
    expect(announcedConfiguration(known, facts, forged, nameOf)).toBeNull();
    expect(announcedConfiguration({ ...known, epoch: 1 }, facts, lists, nameOf)).toBeNull();
  });

  it('reads facts strictly', () => {
    expect(parseConfigFact(configFact(3, 'f'.repeat(32)))).toEqual({
      epoch: 3,
      name: 'f'.repeat(32),
    });
    for (const bad of ['3:short', '-1:' + 'f'.repeat(32), 'x:' + 'f'.repeat(32), '']) {
      expect(parseConfigFact(bad)).toBeNull();
    }
  });
});
