import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { sha256Hex } from '../../host/sha256Hex';
import { R1, R2 } from '../../host/pbftHostTestSupport';
import { MAX_AGREED_MEMORY_BYTES } from '../agreed/agreedMemoryState';
import { builtinKinds } from './builtinKinds';
import { CriticalApp, EXECUTED_LOG_KEPT } from './criticalApp';

function app(): CriticalApp {
  return new CriticalApp(sha256Hex, builtinKinds());
}

function run(target: CriticalApp, actions: unknown[], client: AgentId = R1): string[] {
  return actions.map((action, i) => target.apply(JSON.stringify(action), client, i + 1));
}

const store = (key: string, value: unknown, atMs = 1000) => ({
  kind: 'memory.store',
  namespace: 'critical',
  key,
  value,
  ttlSeconds: null,
  atMs,
});

describe('CriticalApp', () => {
  it('two replicas applying the same actions hold the same state, also after a restore', () => {
    const actions = [
      store('constructor', 1),
      store('__proto__', { a: 1 }),
      { kind: 'demo.increment', by: 3 },
      { kind: 'memory.delete', namespace: 'critical', key: 'constructor', atMs: 2000 },
      { kind: 'mesh.config', key: 'gossipIntervalMs', value: 3000 },
    ];
    const a = app();
    const b = app();
    const results = run(a, actions);
    expect(run(b, actions)).toEqual(results);
    expect(results.map((r) => JSON.parse(r).ok)).toEqual([true, true, true, true, true]);
    expect(a.snapshot()).toBe(b.snapshot());
    const restored = app();
    let restoredCalls = 0;
    restored.onRestored(() => restoredCalls++);
    restored.restore(a.snapshot());
    expect(restoredCalls).toBe(1);
    expect(restored.snapshot()).toBe(a.snapshot());
    // The same next action gives the same result and state on the restored replica.
    const next = store('k', 'v', 3000);
    expect(restored.apply(JSON.stringify(next), R2, 6)).toBe(a.apply(JSON.stringify(next), R2, 6));
    expect(restored.snapshot()).toBe(a.snapshot());
  });

  it('refuses alike whatever is wrong: not JSON, no kind, unknown kind, validator, throwing apply', () => {
    const target = app();
    target.register('boom', {
      apply: (_action, { state }) => {
        state.touched = true;
        throw new Error('no');
      },
    });
    const results = [
      target.apply('not json', R1, 1),
      target.apply('{"x":1}', R1, 2),
      target.apply('{"kind":"nope"}', R1, 3),
      target.apply('{"kind":"demo.increment","by":"x"}', R1, 4),
      target.apply('{"kind":"boom"}', R1, 5),
    ].map((r) => JSON.parse(r) as { ok: boolean; error: string });
    expect(results.map((r) => r.error)).toEqual([
      'invalid',
      'invalid',
      'invalid',
      'invalid',
      'failed',
    ]);
    // The throwing kind's changes were undone; every action is in the log, in order.
    expect(target.stateOf('boom')).toEqual({});
    expect(target.log(0, 10).map((e) => [e.seq, e.kind])).toEqual([
      [1, ''],
      [2, ''],
      [3, 'nope'],
      [4, 'demo.increment'],
      [5, 'boom'],
    ]);
  });

  it('keeps the state within bounds: the log, a kind past its state bound, agreed memory when full', () => {
    const target = app();
    target.register('grow', {
      maxStateChars: 100,
      apply: (action, { state }) => {
        state.text = `${(state.text as string | undefined) ?? ''}${action.add as string}`;
        return (state.text as string).length;
      },
    });
    expect(JSON.parse(target.apply('{"kind":"grow","add":"abc"}', R1, 1))).toEqual({
      ok: true,
      value: 3,
    });
    const tooBig = JSON.stringify({ kind: 'grow', add: 'x'.repeat(200) });
    expect(JSON.parse(target.apply(tooBig, R1, 2))).toMatchObject({
      ok: false,
      error: 'too-large',
    });
    expect(target.stateOf('grow')).toEqual({ text: 'abc' });

    const longKind = JSON.stringify({ kind: 'y'.repeat(500) });
    for (let seq = 3; seq < EXECUTED_LOG_KEPT + 10; seq++) target.apply(longKind, R1, seq);
    expect(target.log(0, 10_000)).toHaveLength(EXECUTED_LOG_KEPT);
    expect(target.log(0, 1)[0]?.kind).toHaveLength(64);

    const memory = app();
    const value = 'é'.repeat(1500);
    let refused = 0;
    for (let i = 0; i < 200 && refused === 0; i++) {
      const result = JSON.parse(memory.apply(JSON.stringify(store(`k${i}`, value)), R1, i + 1));
      if (!result.ok) refused = i;
    }
    // Counted in UTF-8: two bytes a character here, so the cap comes at about 64 entries.
    expect(refused).toBeGreaterThan(50);
    expect(refused).toBeLessThan(MAX_AGREED_MEMORY_BYTES / 3000 + 2);
  });

  it('a listener that throws stops neither the others nor the execution', () => {
    const target = app();
    const seen: number[] = [];
    target.onExecuted(() => {
      throw new Error('listener bug');
    });
    target.onExecuted((entry) => seen.push(entry.seq));
    const result = target.apply('{"kind":"demo.increment"}', R1, 1);
    expect(JSON.parse(result)).toEqual({ ok: true, value: { value: 1 } });
    expect(seen).toEqual([1]);
  });
});
