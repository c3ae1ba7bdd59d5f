import type { AgentId } from '../base/ids';
import type { PeerMessage } from './messages';

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
  bytes: Uint8Array;
}

/** The claims of one message that need a signature check; none for most message types. */
export function signedClaimsOf(msg: PeerMessage): SignedClaim[] {
  switch (msg.type) {
    default:
      return [];
  }
}
