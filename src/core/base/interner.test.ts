import { describe, expect, it } from 'vitest';
import { Interner, NO_INTERNING } from './interner';

/** A copy of `text` that is a different string object with the same characters. */
const copyOf = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

describe('Interner', () => {
  it('returns the first copy it saw for every later equal string', () => {
    const interner = new Interner(8);
    const first = 'a'.repeat(64);
    expect(interner.intern(first)).toBe(first);
    expect(interner.intern(copyOf(first))).toBe(first);
    expect(interner.intern('b')).toBe('b');
    expect(interner.size).toBe(2);
  });

  it('starts again when full, and never holds more than its bound', () => {
    const interner = new Interner(3);
    for (const text of ['x1', 'x2', 'x3']) interner.intern(text);
    expect(interner.size).toBe(3);
    expect(interner.resets).toBe(0);
    expect(interner.intern('x4')).toBe('x4');
    expect(interner.size).toBe(1);
    expect(interner.resets).toBe(1);
    // Equal strings still come back equal; only sharing with older copies stopped.
    expect(interner.intern('x1')).toBe('x1');
    expect(interner.size).toBe(2);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new Interner(0)).toThrow(/positive integer/);
    expect(() => new Interner(1.5)).toThrow(/positive integer/);
  });

  it('NO_INTERNING hands back what it is given', () => {
    expect(NO_INTERNING.intern('abc')).toBe('abc');
  });
});
