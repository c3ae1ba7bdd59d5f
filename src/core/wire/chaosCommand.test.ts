import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { chaosCommandBytes, MAX_FREEZE_SECONDS, parseChaosCommand } from './chaosCommand';

const A = 'a'.repeat(64) as AgentId;
const B = 'b'.repeat(64) as AgentId;
const C = 'c'.repeat(64) as AgentId;
const base = { type: 'chaos', id: '0123456789abcdef', issuer: A, signature: 'f'.repeat(128) };

describe('chaos commands', () => {
  it('accepts each well-formed action', () => {
    for (const action of [
      { kind: 'partition', groups: [[A], [B, C]], healAfterSeconds: 60 },
      { kind: 'heal' },
      { kind: 'freeze', agent: B, seconds: 5 },
      { kind: 'link-fault', a: A, b: B, delayMs: 150, dropRate: 0.2 },
    ]) {
      expect(parseChaosCommand({ ...base, action })).toEqual({
        ok: true,
        command: { ...base, action },
      });
    }
  });

  it('refuses out-of-range and malformed commands with a reason', () => {
    const bad = [
      { ...base, action: { kind: 'freeze', agent: B, seconds: MAX_FREEZE_SECONDS + 1 } },
      { ...base, action: { kind: 'partition', groups: [[A, B, C]], healAfterSeconds: 60 } },
      { ...base, action: { kind: 'link-fault', a: A, b: A, delayMs: 0, dropRate: 0 } },
      { ...base, action: { kind: 'link-fault', a: A, b: B, delayMs: 0, dropRate: 2 } },
      { ...base, action: { kind: 'reboot' } },
      { ...base, id: 'short', action: { kind: 'heal' } },
      { ...base, signature: 'abc', action: { kind: 'heal' } },
      { ...base, issuer: 'me', action: { kind: 'heal' } },
      null,
      'chaos',
    ];
    for (const data of bad) expect(parseChaosCommand(data)).toMatchObject({ ok: false });
  });

  it('binds the signed bytes to the id, the issuer and the action', () => {
    const heal = chaosCommandBytes('0123456789abcdef', A, { kind: 'heal' });
    expect(chaosCommandBytes('0123456789abcdef', B, { kind: 'heal' })).not.toEqual(heal);
    expect(chaosCommandBytes('fedcba9876543210', A, { kind: 'heal' })).not.toEqual(heal);
    expect(
      chaosCommandBytes('0123456789abcdef', A, { kind: 'freeze', agent: B, seconds: 1 }),
    ).not.toEqual(heal);
  });
});
