import type { AgentId } from '../base/ids';

/**
 * The bytes a peer signs to authenticate one connection. Binding both DTLS certificate
 * fingerprints means a signaling server that relays its own certificates (to sit in the middle)
 * produces a transcript the honest peers never signed, so its handshake fails.
 */
export function linkAuthTranscript(params: {
  room: string;
  signerId: AgentId;
  verifierId: AgentId;
  signerFingerprint: string;
  verifierFingerprint: string;
}): Uint8Array<ArrayBuffer> {
  const lines = [
    'mesh-coordinator/link-auth/v1',
    `room=${params.room}`,
    `signer=${params.signerId}`,
    `verifier=${params.verifierId}`,
    `signer-dtls=${normaliseFingerprint(params.signerFingerprint)}`,
    `verifier-dtls=${normaliseFingerprint(params.verifierFingerprint)}`,
  ];
  return new TextEncoder().encode(lines.join('\n'));
}

export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.trim().toLowerCase();
}

/** Reads the first `a=fingerprint:` line of an SDP ("sha-256 AB:CD:..."), or null. */
export function fingerprintFromSdp(sdp: string): string | null {
  const match = /^a=fingerprint:(\S+ [0-9A-Fa-f:]+)\s*$/m.exec(sdp);
  return match ? normaliseFingerprint(match[1] as string) : null;
}
