import { describe, expect, it } from 'vitest';
import { isAgentId, type AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import { BYZANTINE_BEHAVIOURS, type ByzantineBehaviour } from './byzantineBehaviours';
import {
  chaosAckBytes,
  chaosCommandBytes,
  chaosScope,
  concernsAgent,
  decodeChaosFrame,
  encodeChaosFrame,
  MAX_CHAOS_COPIES,
  MAX_FREEZE_SECONDS,
  MAX_SLOWDOWN_FACTOR,
  parseChaosAck,
  parseChaosCommand,
  type ChaosAction,
} from './chaosCommand';
import { mutateFrame } from './frameMutation';

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
      { kind: 'behaviour', agent: B, behaviour: 'equivocate' },
      { kind: 'behaviour', agent: C, behaviour: 'honest' },
      { kind: 'link-fault', a: A, b: B, delayMs: 150, dropRate: 0.2 },
      { kind: 'slow', agent: B, factor: 4 },
      { kind: 'slow', agent: B, factor: 1 },
      { kind: 'slow', agent: C, factor: MAX_SLOWDOWN_FACTOR },
    ]) {
      // A command without a copy number is the first copy.
      expect(parseChaosCommand({ ...base, action })).toEqual({
        ok: true,
        command: { ...base, action, copy: 0 },
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
      { ...base, action: { kind: 'behaviour', agent: B, behaviour: 'lying' } },
      { ...base, action: { kind: 'behaviour', agent: B, behaviour: 'Honest' } },
      { ...base, action: { kind: 'behaviour', agent: B, behaviour: 'toString' } },
      { ...base, action: { kind: 'behaviour', agent: B } },
      { ...base, action: { kind: 'behaviour', agent: 'b', behaviour: 'silent' } },
      { ...base, action: { kind: 'behaviour', agent: B.toUpperCase(), behaviour: 'silent' } },
      { ...base, action: { kind: 'behaviour', behaviour: 'silent' } },
      { ...base, action: { kind: 'slow', agent: B, factor: 0.5 } },
      { ...base, action: { kind: 'slow', agent: B, factor: 0 } },
      { ...base, action: { kind: 'slow', agent: B, factor: MAX_SLOWDOWN_FACTOR + 1 } },
      { ...base, action: { kind: 'slow', agent: B, factor: Number.NaN } },
      { ...base, action: { kind: 'slow', agent: B, factor: Infinity } },
      { ...base, action: { kind: 'slow', agent: B, factor: '4' } },
      { ...base, action: { kind: 'slow', agent: B } },
      { ...base, action: { kind: 'slow', agent: 'b', factor: 4 } },
      { ...base, action: { kind: 'slow', agent: B.toUpperCase(), factor: 4 } },
      { ...base, action: { kind: 'slow', factor: 4 } },
      { ...base, id: 'short', action: { kind: 'heal' } },
      { ...base, signature: 'abc', action: { kind: 'heal' } },
      { ...base, issuer: 'me', action: { kind: 'heal' } },
      { ...base, copy: MAX_CHAOS_COPIES, action: { kind: 'heal' } },
      { ...base, copy: 1.5, action: { kind: 'heal' } },
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
    const behaviour = (behaviour: ByzantineBehaviour): ChaosAction => ({
      kind: 'behaviour',
      agent: B,
      behaviour,
    });
    expect(chaosCommandBytes(base.id, A, behaviour('silent'))).not.toEqual(
      chaosCommandBytes(base.id, A, behaviour('replay')),
    );
  });

  it('rebuilds a behaviour action in the order it was signed, whatever order it came in', () => {
    const signed: ChaosAction = { kind: 'behaviour', agent: B, behaviour: 'wrong-digest' };
    const reordered = { behaviour: 'wrong-digest', agent: B, kind: 'behaviour', extra: 1 };
    const parsed = parseChaosCommand({ ...base, action: reordered });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(chaosCommandBytes(base.id, A, parsed.command.action)).toEqual(
      chaosCommandBytes(base.id, A, signed),
    );
  });

  it('rebuilds a slow action in the order it was signed, dropping extra fields', () => {
    const signed: ChaosAction = { kind: 'slow', agent: B, factor: 4 };
    const parsed = parseChaosCommand({
      ...base,
      action: { factor: 4, extra: true, agent: B, kind: 'slow' },
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.command.action).toEqual(signed);
    expect(chaosCommandBytes(base.id, A, parsed.command.action)).toEqual(
      chaosCommandBytes(base.id, A, signed),
    );
    expect(chaosCommandBytes(base.id, A, signed)).not.toEqual(
      chaosCommandBytes(base.id, A, { ...signed, factor: 1 }),
    );
  });

  it('never throws on mutated behaviour frames, and accepts only known behaviours', () => {
    const prng = createSeededPrng(0xbe4a);
    const samples = BYZANTINE_BEHAVIOURS.map((behaviour) =>
      encodeChaosFrame({
        ...base,
        type: 'chaos',
        copy: 0,
        action: { kind: 'behaviour', agent: B, behaviour },
      }),
    );
    let accepted = 0;
    for (let i = 0; i < 5_000; i++) {
      const sample = samples[prng.nextInt(samples.length)];
      if (sample === undefined || sample === null) throw new Error('sample did not encode');
      const parsed = parseChaosCommand(decodeChaosFrame(mutateFrame(prng, sample)));
      if (!parsed.ok) continue;
      accepted++;
      const { action } = parsed.command;
      if (action.kind !== 'behaviour') continue;
      expect(isAgentId(action.agent)).toBe(true);
      expect(BYZANTINE_BEHAVIOURS).toContain(action.behaviour);
    }
    // Some edits keep the frame valid (a signature or id byte for another hex digit).
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('chaos acks, scopes and who a command concerns', () => {
  const ack = {
    type: 'chaos-ack',
    id: '0123456789abcdef',
    agent: B,
    copy: 3,
    signature: 'e'.repeat(128),
  };

  it('parses a well-formed ack and refuses a malformed one with a reason', () => {
    expect(parseChaosAck(ack)).toEqual({ ok: true, ack });
    for (const bad of [
      { ...ack, type: 'chaos' },
      { ...ack, id: 'xyz' },
      { ...ack, agent: 'b' },
      { ...ack, copy: -1 },
      { ...ack, copy: MAX_CHAOS_COPIES },
      { ...ack, signature: 'e' },
      [],
    ]) {
      expect(parseChaosAck(bad)).toMatchObject({ ok: false });
    }
    expect(chaosAckBytes(ack.id, B)).not.toEqual(chaosAckBytes(ack.id, C));
    expect(chaosAckBytes(ack.id, B)).not.toEqual(chaosCommandBytes(ack.id, B, { kind: 'heal' }));
  });

  it('puts partitions and heals in one scope, freezes and slowdowns per agent, faults per link', () => {
    const partition: ChaosAction = { kind: 'partition', groups: [[A], [B]], healAfterSeconds: 9 };
    expect(chaosScope(partition)).toBe(chaosScope({ kind: 'heal' }));
    const freeze = (agent: AgentId): ChaosAction => ({ kind: 'freeze', agent, seconds: 1 });
    expect(chaosScope(freeze(A))).not.toBe(chaosScope(freeze(B)));
    const behaviour = (agent: AgentId, b: ByzantineBehaviour): ChaosAction => ({
      kind: 'behaviour',
      agent,
      behaviour: b,
    });
    expect(chaosScope(behaviour(A, 'silent'))).toBe(chaosScope(behaviour(A, 'honest')));
    expect(chaosScope(behaviour(A, 'silent'))).not.toBe(chaosScope(behaviour(B, 'silent')));
    expect(chaosScope(behaviour(A, 'silent'))).not.toBe(chaosScope(freeze(A)));
    const fault = (a: AgentId, b: AgentId): ChaosAction => ({
      kind: 'link-fault',
      a,
      b,
      delayMs: 1,
      dropRate: 0,
    });
    const slow = (agent: AgentId, factor: number): ChaosAction => ({ kind: 'slow', agent, factor });
    expect(chaosScope(slow(A, 4))).toBe(chaosScope(slow(A, 1)));
    expect(chaosScope(slow(A, 4))).not.toBe(chaosScope(slow(B, 4)));
    expect(chaosScope(slow(A, 4))).not.toBe(chaosScope(freeze(A)));
    expect(chaosScope(slow(A, 4))).not.toBe(chaosScope(behaviour(A, 'silent')));
    expect(chaosScope(fault(A, B))).toBe(chaosScope(fault(B, A)));
    expect(chaosScope(fault(A, B))).not.toBe(chaosScope(fault(A, C)));
  });

  it('concerns the agents that apply the action', () => {
    const partition: ChaosAction = { kind: 'partition', groups: [[A], [B]], healAfterSeconds: 9 };
    expect([A, B, C].map((x) => concernsAgent(partition, x))).toEqual([true, true, false]);
    expect([A, B, C].map((x) => concernsAgent({ kind: 'heal' }, x))).toEqual([true, true, true]);
    const freeze: ChaosAction = { kind: 'freeze', agent: C, seconds: 1 };
    expect([A, B, C].map((x) => concernsAgent(freeze, x))).toEqual([false, false, true]);
    const behaviour: ChaosAction = { kind: 'behaviour', agent: A, behaviour: 'replay' };
    expect([A, B, C].map((x) => concernsAgent(behaviour, x))).toEqual([true, false, false]);
    const slow: ChaosAction = { kind: 'slow', agent: B, factor: 4 };
    expect([A, B, C].map((x) => concernsAgent(slow, x))).toEqual([false, true, false]);
    const fault: ChaosAction = { kind: 'link-fault', a: C, b: B, delayMs: 1, dropRate: 0 };
    expect([A, B, C].map((x) => concernsAgent(fault, x))).toEqual([false, true, false]);
  });
});
