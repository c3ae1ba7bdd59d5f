import { bytesToHex, hexToBytes, type AgentId } from '../../core/base/ids';
import type { CryptoPort } from '../../host/ports';
import { sign, verify, type Identity } from './identity';

/** The host's CryptoPort over WebCrypto Ed25519 (pages and Node alike). */
export function webCryptoPort(identity: Identity, onError: (detail: string) => void): CryptoPort {
  return {
    sign(bytes, done) {
      sign(identity, bytes as Uint8Array<ArrayBuffer>).then(
        (signature) => done(bytesToHex(signature)),
        (error: unknown) => onError(`signing failed: ${String(error)}`),
      );
    },
    verify(signer: AgentId, signatureHex, bytes, done) {
      let signature: Uint8Array<ArrayBuffer>;
      try {
        signature = hexToBytes(signatureHex);
      } catch {
        done(false);
        return;
      }
      verify(signer, signature, bytes as Uint8Array<ArrayBuffer>).then(done, () => done(false));
    },
  };
}
