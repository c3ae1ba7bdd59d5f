import { bytesToHex, hexToBytes, type AgentId } from '../../core/base/ids';
import { linkAuthTranscript } from '../../core/wire/linkAuth';
import type { HelloMessage } from '../../core/wire/messages';
import { sign, verify, type Identity } from './identity';

/** The DTLS certificate fingerprints of one connection, read from the local and remote SDP. */
export interface ConnectionFingerprints {
  local: string;
  remote: string;
}

export async function createHello(
  identity: Identity,
  room: string,
  peer: AgentId,
  fingerprints: ConnectionFingerprints,
): Promise<HelloMessage> {
  const transcript = linkAuthTranscript({
    room,
    signerId: identity.id,
    verifierId: peer,
    signerFingerprint: fingerprints.local,
    verifierFingerprint: fingerprints.remote,
  });
  return {
    type: 'hello',
    id: identity.id,
    signature: bytesToHex(await sign(identity, transcript)),
  };
}

export type HelloVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Accepts a peer's hello only if it comes from the id we meant to reach and signs this very
 * connection: the peer's certificate as we see it and ours as the peer saw it.
 */
export async function verifyHello(
  hello: HelloMessage,
  expectedPeer: AgentId,
  selfId: AgentId,
  room: string,
  fingerprints: ConnectionFingerprints,
): Promise<HelloVerdict> {
  if (hello.id !== expectedPeer) {
    return {
      ok: false,
      reason: `hello from ${hello.id.slice(0, 8)} on the link to ${expectedPeer.slice(0, 8)}`,
    };
  }
  const transcript = linkAuthTranscript({
    room,
    signerId: hello.id,
    verifierId: selfId,
    signerFingerprint: fingerprints.remote,
    verifierFingerprint: fingerprints.local,
  });
  const valid = await verify(hello.id, hexToBytes(hello.signature), transcript);
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match this connection' };
}
