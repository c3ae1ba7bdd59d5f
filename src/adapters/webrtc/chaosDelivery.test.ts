import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import {
  MAX_CHAOS_COPIES,
  type ChaosAction,
  type ChaosCommand,
} from '../../core/wire/chaosCommand';
import { ChaosDelivery } from './chaosDelivery';

const [A, B, C] = ['a', 'b', 'c'].map((d) => d.repeat(64) as AgentId) as [
  AgentId,
  AgentId,
  AgentId,
];

function command(id: string, action: ChaosAction): ChaosCommand {
  return {
    type: 'chaos',
    id: id.padEnd(16, '0'),
    issuer: A,
    action,
    signature: 'f'.repeat(128),
    copy: 0,
  };
}

const partition = command('1', { kind: 'partition', groups: [[A], [B, C]], healAfterSeconds: 600 });
const heal = command('2', { kind: 'heal' });

describe('chaos delivery', () => {
  it('retries with backoff until every concerned agent acked, numbering the copies', () => {
    const d = new ChaosDelivery({ retryBaseMs: 500, retryMaxMs: 2000, giveUpAfterMs: 60_000 });
    d.issue(partition, [A, B, C], 0);
    d.onApplied(partition.id, A);
    expect(d.due(499)).toEqual([]);
    expect(d.due(500).map((c) => c.copy)).toEqual([1]);
    expect(d.nextDueMs()).toBe(1500);
    expect(d.due(1500).map((c) => c.copy)).toEqual([2]);
    expect(d.nextDueMs()).toBe(3500); // 2 s: the cap
    d.onApplied(partition.id, B);
    expect(d.view()).toMatchObject({ applied: [A, B], awaiting: [C], gaveUp: false });
    d.onApplied(partition.id, C);
    expect(d.due(3500)).toEqual([]);
    expect(d.nextDueMs()).toBeNull();
    expect(d.view()).toMatchObject({ kind: 'partition', applied: [A, B, C], awaiting: [] });
  });

  it('a newer command in the same scope replaces the retries of the older, issued here or heard', () => {
    const d = new ChaosDelivery();
    d.issue(partition, [A, B, C], 0);
    d.issue(heal, [A, B, C], 10);
    const copies = d.due(10_000);
    expect(copies.map((c) => c.id)).toEqual([heal.id]);
    // Another agent's freeze is in another scope; its heal is in this one.
    const d2 = new ChaosDelivery();
    d2.issue(partition, [A, B, C], 0);
    d2.noteCommand(command('3', { kind: 'freeze', agent: B, seconds: 5 }));
    expect(d2.due(600)).toHaveLength(1);
    d2.noteCommand({ ...heal, issuer: B });
    expect(d2.due(10_000)).toEqual([]);
    expect(d2.view()).toMatchObject({ id: heal.id, awaiting: null });
  });

  it('gives up after its time or its copies, and says who never answered', () => {
    const d = new ChaosDelivery({ retryBaseMs: 100, retryMaxMs: 100, giveUpAfterMs: 60_000 });
    d.issue(heal, [A, B], 0);
    d.onApplied(heal.id, A);
    let sent = 1;
    for (let t = 100; t <= 10_000; t += 100) sent += d.due(t).length;
    expect(sent).toBe(MAX_CHAOS_COPIES);
    expect(d.view()).toMatchObject({ awaiting: [B], gaveUp: true });
    const late = new ChaosDelivery({ retryBaseMs: 1000, retryMaxMs: 1000, giveUpAfterMs: 2500 });
    late.issue(heal, [B], 0);
    expect(late.due(1000)).toHaveLength(1);
    expect(late.due(2000)).toHaveLength(1);
    expect(late.due(2500)).toEqual([]);
    expect(late.nextDueMs()).toBeNull();
  });

  it('forwards each flood copy once', () => {
    const d = new ChaosDelivery();
    expect(d.firstSight('c:1:0')).toBe(true);
    expect(d.firstSight('c:1:0')).toBe(false);
    expect(d.firstSight('c:1:1')).toBe(true);
  });
});
