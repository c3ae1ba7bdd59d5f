import type { DigestFn } from './types';

/** Test support: a deterministic 64-hex digest (FNV-1a, stretched); not collision resistant. */
export const testDigest: DigestFn = (bytes) => {
  let out = '';
  for (let round = 0; round < 8; round++) {
    let h = (0x811c9dc5 ^ round) >>> 0;
    for (const byte of bytes) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
};

/** Test support: the seeded source the Byzantine rewriter draws from. */
export function testPrng(seed: number): {
  nextU32(): number;
  nextFloat(): number;
  nextInt(b: number): number;
} {
  let s = seed >>> 0 || 1;
  const nextU32 = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
  return {
    nextU32,
    nextFloat: () => nextU32() / 2 ** 32,
    nextInt: (b) => Math.floor((nextU32() / 2 ** 32) * b),
  };
}
