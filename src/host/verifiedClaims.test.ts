import { describe, expect, it } from 'vitest';
import type { AgentId } from '../core/base/ids';
import { Interner } from '../core/base/interner';
import type { SignedClaim } from '../core/wire/claims';
import { VerifiedClaims } from './verifiedClaims';

const A = 'a'.repeat(64) as AgentId;
const B = 'b'.repeat(64) as AgentId;

function claim(signer: AgentId, signature: string, text: string): SignedClaim {
  return { signer, signature, text, bytes: new TextEncoder().encode(text) };
}

describe('VerifiedClaims', () => {
  it('hits only on the same signer, signature and statement', () => {
    const cache = new VerifiedClaims(8);
    const good = claim(A, '01'.repeat(64), 'alive a 1');
    cache.remember(good, cache.statementOf(good));
    expect(cache.has(good, cache.statementOf(good))).toBe(true);
    // The same signature on another statement, or claimed by another signer, is not a hit.
    const otherText = claim(A, '01'.repeat(64), 'alive a 2');
    expect(cache.has(otherText, cache.statementOf(otherText))).toBe(false);
    const otherSigner = claim(B, '01'.repeat(64), 'alive a 1');
    expect(cache.has(otherSigner, cache.statementOf(otherSigner))).toBe(false);
  });

  it('compares statements without text by their bytes', () => {
    const cache = new VerifiedClaims(8);
    const raw = (bytes: number[]): SignedClaim => ({
      signer: A,
      signature: '02'.repeat(64),
      bytes: new Uint8Array(bytes),
    });
    cache.remember(raw([1, 2]), cache.statementOf(raw([1, 2])));
    expect(cache.has(raw([1, 2]), cache.statementOf(raw([1, 2])))).toBe(true);
    expect(cache.has(raw([1, 3]), cache.statementOf(raw([1, 3])))).toBe(false);
  });

  it('forgets the oldest claim when full', () => {
    const cache = new VerifiedClaims(2);
    const claims = [1, 2, 3].map((n) => claim(A, String(n).padStart(128, '0'), `s${n}`));
    for (const c of claims) cache.remember(c, cache.statementOf(c));
    expect(cache.size).toBe(2);
    expect(claims.map((c) => cache.has(c, cache.statementOf(c)))).toEqual([false, true, true]);
  });

  it('hands statements to its interner', () => {
    const interner = new Interner(8);
    const cache = new VerifiedClaims(8, interner);
    cache.statementOf(claim(A, '03'.repeat(64), 'alive a 7'));
    expect(interner.size).toBe(1);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new VerifiedClaims(0)).toThrow(/positive integer/);
  });
});
