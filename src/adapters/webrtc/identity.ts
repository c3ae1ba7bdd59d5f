import { bytesToHex, hexToBytes, type AgentId, asAgentId } from '../../core/base/ids';

/** An agent's Ed25519 key pair (WebCrypto) and the id derived from its public key. */
export interface Identity {
  id: AgentId;
  privateKey: CryptoKey;
}

const ED25519 = { name: 'Ed25519' } as const;

export async function generateIdentity(): Promise<{
  identity: Identity;
  privatePkcs8: Uint8Array;
}> {
  const pair = (await crypto.subtle.generateKey(ED25519, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const privatePkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return {
    identity: { id: asAgentId(bytesToHex(raw)), privateKey: pair.privateKey },
    privatePkcs8,
  };
}

export async function importIdentity(id: AgentId, privatePkcs8: BufferSource): Promise<Identity> {
  const privateKey = await crypto.subtle.importKey('pkcs8', privatePkcs8, ED25519, false, ['sign']);
  const probe = new TextEncoder().encode('identity-check');
  const signature = await sign({ id, privateKey }, probe);
  if (!(await verify(id, signature, probe))) throw new Error('stored key does not match stored id');
  return { id, privateKey };
}

export async function sign(
  identity: Identity,
  data: BufferSource,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, identity.privateKey, data));
}

/** Verifies a signature by the agent `signer`; its id is its public key, so no lookup is needed. */
export async function verify(
  signer: AgentId,
  signature: BufferSource,
  data: BufferSource,
): Promise<boolean> {
  try {
    const publicKey = await crypto.subtle.importKey('raw', hexToBytes(signer), ED25519, false, [
      'verify',
    ]);
    return await crypto.subtle.verify(ED25519, publicKey, signature, data);
  } catch {
    return false;
  }
}

/** The stored form of an identity: its id and the PKCS#8 private key, both hex. */
export interface StoredIdentity {
  id: string;
  pkcs8: string;
}

export async function identityFromStored(stored: StoredIdentity): Promise<Identity> {
  return importIdentity(asAgentId(stored.id), hexToBytes(stored.pkcs8));
}

export async function generateStoredIdentity(): Promise<{
  identity: Identity;
  stored: StoredIdentity;
}> {
  const { identity, privatePkcs8 } = await generateIdentity();
  return { identity, stored: { id: identity.id, pkcs8: bytesToHex(privatePkcs8) } };
}
