import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../../base/prng';
import { decodeBase64, encodeBase64 } from './base64';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('base64', () => {
  it('matches the RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(encodeBase64(bytes(plain))).toBe(encoded);
      expect(decodeBase64(encoded)).toEqual(bytes(plain));
    }
  });

  it('round-trips random bytes and agrees with Node', () => {
    const prng = createSeededPrng(3);
    for (let round = 0; round < 50; round++) {
      const data = new Uint8Array(prng.nextInt(2000));
      for (let i = 0; i < data.length; i++) data[i] = prng.nextInt(256);
      const text = encodeBase64(data);
      expect(text).toBe(Buffer.from(data).toString('base64'));
      expect(decodeBase64(text)).toEqual(data);
    }
  });

  it('refuses malformed text', () => {
    expect(() => decodeBase64('Zm9')).toThrow(/multiple of 4/);
    expect(() => decodeBase64('Zm9*')).toThrow(/character/);
    expect(() => decodeBase64('Z===')).toThrow(/character/);
    expect(() => decodeBase64('Zm=v')).toThrow(/character/);
    expect(() => decodeBase64('Zh==')).toThrow(/stray bits/);
  });
});
