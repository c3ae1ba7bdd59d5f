import { bytesToHex, hexToBytes, type AgentId, asAgentId } from '../../core/base/ids';

/** An agent's Ed25519 key pair (WebCrypto) and the id derived from its public key. */
export interface Identity {
  id: AgentId;
  privateKey: CryptoKey;
}

const ED25519 = { name: 'Ed25519' } as const;

export async function generateIdentity(): Promise<{ identity: Identity; privatePkcs8: Uint8Array }> {
  const pair = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const privatePkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return { identity: { id: asAgentId(bytesToHex(raw)), privateKey: pair.privateKey }, privatePkcs8 };
}

export async function importIdentity(id: AgentId, privatePkcs8: BufferSource): Promise<Identity> {
  const privateKey = await crypto.subtle.importKey('pkcs8', privatePkcs8, ED25519, false, ['sign']);
  const probe = new TextEncoder().encode('identity-check');
  const signature = await sign({ id, privateKey }, probe);
  if (!(await verify(id, signature, probe))) throw new Error('stored key does not match stored id');
  return { id, privateKey };
}

export async function sign(identity: Identity, data: BufferSource): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, identity.privateKey, data));
}

/** Verifies a signature by the agent `signer`; its id is its public key, so no lookup is needed. */
export async function verify(signer: AgentId, signature: BufferSource, data: BufferSource): Promise<boolean> {
  try {
    const publicKey = await crypto.subtle.importKey('raw', hexToBytes(signer), ED25519, false, ['verify']);
    return await crypto.subtle.verify(ED25519, publicKey, signature, data);
  } catch {
    return false;
  }
}

const STORAGE_KEY = 'mesh-coordinator/identity/v1';

/**
 * Loads this tab's identity or makes one. It lives in sessionStorage: it survives a reload of
 * the tab, while two tabs of one browser (sharing localStorage) still get distinct identities.
 */
export async function loadOrCreateTabIdentity(storage: Storage = sessionStorage): Promise<Identity> {
  const stored = storage.getItem(STORAGE_KEY);
  if (stored !== null) {
    try {
      const { id, pkcs8 } = JSON.parse(stored) as { id: string; pkcs8: string };
      return await importIdentity(asAgentId(id), hexToBytes(pkcs8));
    } catch {
      storage.removeItem(STORAGE_KEY);
    }
  }
  const { identity, privatePkcs8 } = await generateIdentity();
  storage.setItem(STORAGE_KEY, JSON.stringify({ id: identity.id, pkcs8: bytesToHex(privatePkcs8) }));
  return identity;
}
