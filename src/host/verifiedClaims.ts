import { bytesToHex, type AgentId } from '../core/base/ids';
import type { StringInterner } from '../core/base/interner';
import type { SignedClaim } from '../core/wire/claims';

/** Claims remembered by default: a member's alive statement and a few others each. */
export const VERIFIED_CLAIMS_KEPT = 4096;

/** What a verified signature signed, and who signed it. */
interface VerifiedClaim {
  signer: AgentId;
  statement: string;
}

/**
 * Claims whose signatures checked out, so a fact gossiped many times costs one signature check.
 * Keyed by the signature, with who signed what: a hit needs all three equal, so it is exactly a
 * claim that was checked (anything less would let a forger reuse a verified signature on a
 * statement of its own). Oldest first, and the oldest goes when full.
 *
 * A host keeps one of its own. Hosts may share one only when their crypto ports give the same
 * answer for the same claim: the simulator's hosts do, and sharing keeps one entry per claim
 * instead of one per claim and agent.
 */
export class VerifiedClaims {
  private readonly bySignature = new Map<string, VerifiedClaim>();

  constructor(
    readonly maxEntries: number = VERIFIED_CLAIMS_KEPT,
    /** Gives the statement texts it keeps their shared copy. */
    private readonly interner?: StringInterner,
  ) {
    if (!(Number.isInteger(maxEntries) && maxEntries > 0)) {
      throw new Error(`verified-claim cache size must be a positive integer, not ${maxEntries}`);
    }
  }

  get size(): number {
    return this.bySignature.size;
  }

  /** The claim's statement as the cache compares it: its text, else its bytes in hex. */
  statementOf(claim: SignedClaim): string {
    const statement = claim.text ?? 'bytes:' + bytesToHex(claim.bytes);
    return this.interner === undefined ? statement : this.interner.intern(statement);
  }

  has(claim: SignedClaim, statement: string): boolean {
    const seen = this.bySignature.get(claim.signature);
    return seen !== undefined && seen.signer === claim.signer && seen.statement === statement;
  }

  remember(claim: SignedClaim, statement: string): void {
    const signature = claim.signature;
    if (!this.bySignature.has(signature) && this.bySignature.size >= this.maxEntries) {
      this.bySignature.delete(this.bySignature.keys().next().value as string);
    }
    this.bySignature.set(signature, { signer: claim.signer, statement });
  }
}
