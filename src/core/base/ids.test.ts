import { describe, expect, it } from 'vitest';
import { asAgentId, bytesToHex, compareIds, hexToBytes, isAgentId, shortId } from './ids';

const VALID = 'ab'.repeat(32);

describe('agent ids', () => {
  it('accepts exactly 64 lowercase hex digits', () => {
    expect(isAgentId(VALID)).toBe(true);
    expect(isAgentId('0'.repeat(64))).toBe(true);
    expect(isAgentId(VALID.toUpperCase())).toBe(false);
    expect(isAgentId(VALID.slice(1))).toBe(false);
    expect(isAgentId(VALID + '0')).toBe(false);
    expect(isAgentId('g'.repeat(64))).toBe(false);
    expect(isAgentId(` ${VALID.slice(1)}`)).toBe(false);
    expect(isAgentId(`${VALID}\n`)).toBe(false);
    expect(isAgentId(42)).toBe(false);
    expect(isAgentId(null)).toBe(false);
    expect(isAgentId(undefined)).toBe(false);
  });

  it('asAgentId returns the id or throws with a short excerpt', () => {
    expect(asAgentId(VALID)).toBe(VALID);
    expect(() => asAgentId('nope')).toThrow('not an agent id: "nope"');
    try {
      asAgentId('x'.repeat(10_000));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(120);
    }
  });

  it('shortens ids to their first 8 digits', () => {
    expect(shortId('0123456789abcdef'.repeat(4))).toBe('01234567');
  });

  it('orders ids as strings', () => {
    expect(compareIds('a', 'b')).toBe(-1);
    expect(compareIds('b', 'a')).toBe(1);
    expect(compareIds(VALID, VALID)).toBe(0);
    const sorted = ['ff', '0a', 'a0', '00'].sort(compareIds);
    expect(sorted).toEqual(['00', '0a', 'a0', 'ff']);
  });
});

describe('hex', () => {
  it('round trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hex = bytesToHex(bytes);
    expect(hex).toHaveLength(512);
    expect(hex.startsWith('000102')).toBe(true);
    expect(hex.endsWith('fdfeff')).toBe(true);
    expect(hexToBytes(hex)).toEqual(bytes);
  });

  it('accepts upper case and empty input', () => {
    expect(hexToBytes('ABcd')).toEqual(Uint8Array.from([0xab, 0xcd]));
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
    expect(bytesToHex(new Uint8Array(0))).toBe('');
  });

  it('rejects odd lengths and non-hex digits', () => {
    expect(() => hexToBytes('abc')).toThrow('malformed hex string');
    expect(() => hexToBytes('zz')).toThrow('malformed hex string');
    expect(() => hexToBytes('0x12')).toThrow('malformed hex string');
    expect(() => hexToBytes('+1')).toThrow('malformed hex string');
  });
});
