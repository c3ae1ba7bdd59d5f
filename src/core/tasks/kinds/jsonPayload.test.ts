import { describe, expect, it } from 'vitest';
import { checkJsonPayload } from './jsonPayload';

describe('checkJsonPayload', () => {
  it('takes plain JSON values within the size', () => {
    expect(checkJsonPayload({ a: [1, 'two', null, true, { b: -0.5 }] }, 1000)).toBeNull();
    expect(checkJsonPayload(Object.create(null), 10)).toBeNull();
    expect(checkJsonPayload('x'.repeat(98), 100)).toBeNull();
  });

  it('refuses what JSON would change or cannot carry', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const holes: unknown[] = [];
    holes[2] = 1;
    for (const value of [
      undefined,
      () => 1,
      Number.NaN,
      Infinity,
      10n,
      Symbol('s'),
      { a: undefined },
      holes,
      new Date(0),
      new Map(),
      new Uint16Array(2),
      cyclic,
    ])
      expect(checkJsonPayload(value, 10_000)?.code, String(value)).toBe('not-json');
  });

  it('measures UTF-8 bytes of the JSON text, and gives up early on huge values', () => {
    expect(checkJsonPayload('x'.repeat(99), 100)?.code).toBe('too-large');
    expect(checkJsonPayload('é'.repeat(50), 100)?.code).toBe('too-large');
    expect(checkJsonPayload(new Array(10_000_000).fill(0), 1000)?.code).toBe('too-large');
    // 'é' is two bytes: 50 of them and the quotes are 102.
    expect(checkJsonPayload('é'.repeat(49), 100)).toBeNull();
  });
});
