import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './kinds/base64';
import { forgeResult } from './forgedResults';

describe('forgeResult', () => {
  it('changes every kind of value, keeping its shape', () => {
    expect(forgeResult('41')).toBe('42');
    expect(forgeResult('true')).toBe('false');
    expect(forgeResult('null')).toBe('0');
    expect(forgeResult('"abc"')).toBe('"bcd"');
    expect(forgeResult('"=="')).toBe('"==~"');
    expect(forgeResult('[1,2]')).toBe('[2,3]');
    expect(forgeResult('{}')).toBe('{"forged":{}}');
    // Strings win over numbers: a tile keeps its place and its pixels change.
    expect(JSON.parse(forgeResult('{"x":3,"iterations":"AAB/"}'))).toEqual({
      x: 3,
      iterations: 'BBCA',
    });
  });

  it('keeps base64 decodable, with other bytes', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 7]);
    const text = JSON.stringify(encodeBase64(bytes));
    const forged = decodeBase64(JSON.parse(forgeResult(text)) as string);
    expect(forged).toHaveLength(bytes.length);
    expect([...forged]).not.toEqual([...bytes]);
  });

  it('is deterministic and never the truth', () => {
    for (const text of ['0', '"x"', '[[],{}]', '{"a":[null,"q"]}', '-1.5', '""'])
      expect(forgeResult(text)).toBe(forgeResult(text));
    for (const text of ['0', '"x"', '[[],{}]', '{"a":[null,"q"]}', '-1.5', '""'])
      expect(forgeResult(text)).not.toBe(text);
  });
});
