import type { AgentId } from '../base/ids';
import type { PeerMessage } from './messages';
import type { SwimFact } from './swimMessages';
import { statementBytes, statementTextOf } from './swimStatements';

/**
 * A statement inside a message that only `signer` can make (a member's own liveness or
 * departure, say). The host verifies every claim of a message before the agent sees it, and
 * drops the whole message when one fails.
 */
export interface SignedClaim {
  signer: AgentId;
  /** Ed25519 signature, hex. */
  signature: string;
  /** The exact bytes that were signed. */
  readonly bytes: Uint8Array;
  /**
   * The signed bytes as text, when the statement is text (they are its UTF-8 encoding): the
   * host keys its cache of verified claims on it and encodes the bytes only to verify.
   */
  readonly text?: string;
}

/** A claim over a text statement; the bytes are encoded only when someone asks for them. */
class TextClaim implements SignedClaim {
  private encoded: Uint8Array | null = null;

  constructor(
    readonly signer: AgentId,
    readonly signature: string,
    readonly text: string,
  ) {}

  get bytes(): Uint8Array {
    this.encoded ??= statementBytes(this.text);
    return this.encoded;
  }
}

/**
 * The claims of one message that need a signature check; none for most message types. In
 * membership messages every fact a member states about itself (alive, left, load, application
 * facts) must carry its subject's signature; suspect and dead reports need none.
 */
export function signedClaimsOf(msg: PeerMessage): SignedClaim[] {
  switch (msg.type) {
    case 'swim-probe':
    case 'swim-ack':
    case 'swim-probe-req':
    case 'swim-nack':
    case 'swim-gossip':
      return factClaims(msg.facts, []);
    case 'swim-state':
      // Summaries carry no statements; full entries carry their subjects' signatures.
      return factClaims(
        msg.facts,
        factClaims(
          msg.members.map((member) => member.fact),
          [],
        ),
      );
    default:
      return [];
  }
}

function factClaims(facts: readonly SwimFact[], into: SignedClaim[]): SignedClaim[] {
  for (const fact of facts) {
    if (fact.kind === 'suspect' || fact.kind === 'dead') continue;
    const text = statementTextOf(fact);
    if (text !== null) into.push(new TextClaim(fact.subject, fact.signature, text));
  }
  return into;
}
