import { describe, expect, it } from 'vitest';
import { fixedId } from '../core/base/testSupport';
import type { PbftMessage, PbftRequestMessage } from '../core/wire/pbftMessages';
import { signPbftMessage, verifyPbftMessage, VerifiedSignatures } from './pbftSigning';
import type { CryptoPort } from './ports';

const A = fixedId('a');
const B = fixedId('b');
/** FNV-1a of the bytes as 8 hex digits: enough to tell two statements apart here. */
const hashHex = (bytes: Uint8Array) => {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
};

/** A stand-in port: the "signature" is the signer's letter and a digest of the bytes. */
function countingCrypto(self: string): CryptoPort & { verifications: number } {
  const sigOf = (signer: string, bytes: Uint8Array) =>
    signer[0]!.repeat(64) + hashHex(bytes).repeat(8);
  const port = {
    verifications: 0,
    sign: (bytes: Uint8Array, done: (sig: string) => void) => done(sigOf(self, bytes)),
    verify: (signer: string, sig: string, bytes: Uint8Array, done: (ok: boolean) => void) => {
      port.verifications++;
      done(sig === sigOf(signer, bytes));
    },
  };
  return port;
}

describe('pBFT signing in the host', () => {
  it('signs what self owes, verifies every signature, and caches what it checked', () => {
    const request: PbftMessage = {
      type: 'pbft-request',
      client: A,
      reqNo: 1,
      action: '{"kind":"k"}',
      sig: '',
    };
    const signedCopies: PbftRequestMessage[] = [];
    signPbftMessage(request, A, countingCrypto('a'), (m) =>
      signedCopies.push(m as PbftRequestMessage),
    );
    const signed = signedCopies[0]!;
    expect(signed.sig).toHaveLength(128);
    expect(request.type === 'pbft-request' && request.sig).toBe('');
    const verifier = countingCrypto('b');
    const cache = new VerifiedSignatures();
    let results: boolean[] = [];
    verifyPbftMessage(signed, verifier, (ok) => results.push(ok), cache);
    verifyPbftMessage(signed, verifier, (ok) => results.push(ok), cache);
    expect(results).toEqual([true, true]);
    expect(verifier.verifications).toBe(1);
    // The same signature over other bytes is no cache hit, and fails.
    results = [];
    verifyPbftMessage(
      { ...signed, action: '{"kind":"x"}' },
      verifier,
      (ok) => results.push(ok),
      cache,
    );
    expect(results).toEqual([false]);
    // Signed by someone else than it claims: fails.
    verifyPbftMessage({ ...signed, client: B }, verifier, (ok) => results.push(ok), cache);
    expect(results).toEqual([false, false]);
  });

  it('stops at the first bad signature and answers once, also when the port answers later', () => {
    const pending: (() => void)[] = [];
    const slow: CryptoPort = {
      sign: (_bytes, done) => done('0'.repeat(128)),
      verify: (_signer, sig, _bytes, done) => pending.push(() => done(sig !== 'f'.repeat(128))),
    };
    const batch: PbftMessage = {
      type: 'pbft-batch',
      digest: '0'.repeat(64),
      requests: [1, 2, 3].map((reqNo) => ({
        client: A,
        reqNo,
        action: '{}',
        sig: (reqNo === 2 ? 'f' : '0').repeat(128),
      })),
    };
    const answers: boolean[] = [];
    verifyPbftMessage(batch, slow, (ok) => answers.push(ok));
    while (pending.length > 0) pending.shift()!();
    expect(answers).toEqual([false]);
  });
});
