import type { AgentId } from '../core/base/ids';
import type { Prng } from '../core/base/prng';
import type { CryptoPort } from '../host/ports';

/** Secret words per agent. */
const SECRET_WORDS = 4;
/** 64 signature bytes, as the hex of 16 words: the same shape as an Ed25519 signature. */
const SIGNATURE_WORDS = 16;

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

function keyedHash(secret: Uint32Array, bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < SECRET_WORDS; i++) h = Math.imul(h ^ (secret[i] as number), 0x01000193);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return Math.imul(h ^ bytes.length, 0x01000193) >>> 0;
}

function signatureWord(secret: Uint32Array, h: number, word: number): number {
  const key = secret[word % SECRET_WORDS] as number;
  return fmix32(h ^ Math.imul(word + 1, 0x9e3779b9) ^ key);
}

function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Signatures for the simulator: each agent has a secret drawn from the run's seed, and a
 * signature is a keyed hash of the bytes (FNV-1a seeded with the secret, stretched to 64 bytes
 * with a finaliser per word), written as 128 hex digits like an Ed25519 signature. The
 * simulator is omniscient, so verifying looks the signer's secret up. Callbacks run at once.
 * Not cryptography: it only has to make a claim by one agent unforgeable by another agent's
 * code and to cost microseconds, so a thousand agents can verify each other's facts.
 */
export class SimCrypto {
  signatures = 0;
  verifications = 0;
  private readonly secrets = new Map<AgentId, Uint32Array>();

  constructor(ids: readonly AgentId[], prng: Prng) {
    for (const id of ids) {
      const secret = new Uint32Array(SECRET_WORDS);
      for (let i = 0; i < SECRET_WORDS; i++) secret[i] = prng.nextU32();
      this.secrets.set(id, secret);
    }
  }

  /** The CryptoPort of one agent: signs with its own secret, verifies anyone's. */
  portFor(id: AgentId): CryptoPort {
    return {
      sign: (bytes, done) => {
        this.signatures++;
        done(this.signatureOf(id, bytes) ?? '');
      },
      verify: (signer, signatureHex, bytes, done) => {
        this.verifications++;
        done(this.verify(signer, signatureHex, bytes));
      },
    };
  }

  /** The signature `signer` would produce over `bytes`, or null for an unknown signer. */
  signatureOf(signer: AgentId, bytes: Uint8Array): string | null {
    const secret = this.secrets.get(signer);
    if (secret === undefined) return null;
    const h = keyedHash(secret, bytes);
    let hex = '';
    for (let word = 0; word < SIGNATURE_WORDS; word++) {
      hex += signatureWord(secret, h, word).toString(16).padStart(8, '0');
    }
    return hex;
  }

  /** Compares word by word against the hex, without building the expected string. */
  verify(signer: AgentId, signatureHex: string, bytes: Uint8Array): boolean {
    const secret = this.secrets.get(signer);
    if (secret === undefined || signatureHex.length !== SIGNATURE_WORDS * 8) return false;
    const h = keyedHash(secret, bytes);
    for (let word = 0; word < SIGNATURE_WORDS; word++) {
      const expected = signatureWord(secret, h, word);
      for (let nibble = 0; nibble < 8; nibble++) {
        const digit = (expected >>> (28 - 4 * nibble)) & 0xf;
        const code = signatureHex.charCodeAt(word * 8 + nibble);
        if (code !== HEX_CODES[digit]) return false;
      }
    }
    return true;
  }
}
